package engine

import (
	"container/list"
	"sync"
)

// stateCache is an LRU of loaded processes. Entries are mutated only while
// the process lock (keyedMutex) is held.
type stateCache struct {
	mu    sync.Mutex
	cap   int
	order *list.List // front = most recently used; values *list.Element -> cacheItem
	items map[StreamID]*list.Element
}

type cacheItem struct {
	stream StreamID
	proc   *loaded
}

func newStateCache(capacity int) *stateCache {
	return &stateCache{cap: capacity, order: list.New(), items: map[StreamID]*list.Element{}}
}

func (c *stateCache) get(s StreamID) *loaded {
	if c.cap <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[s]
	if !ok {
		return nil
	}
	c.order.MoveToFront(el)
	return el.Value.(cacheItem).proc
}

func (c *stateCache) put(s StreamID, p *loaded) {
	if c.cap <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[s]; ok {
		el.Value = cacheItem{s, p}
		c.order.MoveToFront(el)
		return
	}
	c.items[s] = c.order.PushFront(cacheItem{s, p})
	for c.order.Len() > c.cap {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(cacheItem).stream)
	}
}

func (c *stateCache) evict(s StreamID) {
	if c.cap <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[s]; ok {
		c.order.Remove(el)
		delete(c.items, s)
	}
}

func (c *stateCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// keyedMutex serializes work per stream inside one Engine.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[StreamID]*keyedLock
}

type keyedLock struct {
	mu   sync.Mutex
	refs int
}

func newKeyedMutex() *keyedMutex { return &keyedMutex{locks: map[StreamID]*keyedLock{}} }

// lock locks s and returns the unlock function.
func (k *keyedMutex) lock(s StreamID) func() {
	k.mu.Lock()
	l, ok := k.locks[s]
	if !ok {
		l = &keyedLock{}
		k.locks[s] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.locks, s)
		}
		k.mu.Unlock()
	}
}
