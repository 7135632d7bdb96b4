package deliverer

import (
	"sync"
	"time"
)

// Backoff returns the full-jitter exponential delay before retry number
// attempt (0 for the first retry): uniform in [0, min(limit, base·2^attempt)),
// drawn with rnd (rnd(n) must return a value in [0, n), like
// math/rand/v2.Int64N). It never overflows and returns 0 for a non-positive
// bound. This is the outbox worker's rule of the design seed (seed.md,
// outbox: uniform in [0, min(300 s, 5 s × 2^attempt))).
func Backoff(attempt int, base, limit time.Duration, rnd func(int64) int64) time.Duration {
	ceil := ceiling(attempt, base, limit)
	if ceil <= 0 {
		return 0
	}
	return time.Duration(rnd(int64(ceil)))
}

// ceiling returns min(limit, base·2^attempt) without overflow.
func ceiling(attempt int, base, limit time.Duration) time.Duration {
	if base <= 0 || limit <= 0 {
		return 0
	}
	if attempt < 0 {
		attempt = 0
	}
	c := base
	for range min(attempt, 62) {
		if c >= limit || c > limit/2 {
			return limit
		}
		c *= 2
	}
	return min(c, limit)
}

// sentCache remembers outbox messages this instance has delivered whose
// report to the process is still pending, so a redelivery retries the
// report without sending the interchange again. Bounded, oldest evicted.
type sentCache struct {
	mu    sync.Mutex
	max   int
	order []string
	m     map[string]sentEntry
}

type sentEntry struct {
	transport string
	receipt   Receipt
	at        time.Time
}

func newSentCache(max int) *sentCache { return &sentCache{max: max, m: map[string]sentEntry{}} }

func (s *sentCache) get(id string) (sentEntry, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	return e, ok
}

func (s *sentCache) put(id string, e sentEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[id]; !ok {
		s.order = append(s.order, id)
	}
	s.m[id] = e
	for len(s.order) > s.max {
		delete(s.m, s.order[0])
		s.order = s.order[1:]
	}
}
