package kvrecord

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Mem is the in-memory twin of KV for unit tests: the same contract, with
// one revision counter for the whole store.
type Mem[T any] struct {
	schema Schema[T]
	now    func() time.Time
	mu     sync.Mutex
	rev    uint64
	data   map[string]Entry[T]
}

// NewMem returns an empty in-memory store. now may be nil (time.Now).
func NewMem[T any](schema Schema[T], now func() time.Time) *Mem[T] {
	return &Mem[T]{schema: schema, now: Clock(now), data: map[string]Entry[T]{}}
}

// Put writes r under the condition of opts and returns its new revision.
func (s *Mem[T]) Put(_ context.Context, tenant string, r T, opts ...WriteOption) (uint64, error) {
	if err := s.schema.ValidateTenant(tenant); err != nil {
		return 0, err
	}
	if err := s.schema.Validate(r); err != nil {
		return 0, err
	}
	c := Conditions(opts)
	s.mu.Lock()
	defer s.mu.Unlock()
	k := Key(tenant, s.schema.ID(r))
	cur, ok := s.data[k]
	switch {
	case c.Absent && ok:
		return 0, fmt.Errorf("%w: %s exists at revision %d", s.schema.ConflictErr(), k, cur.Revision)
	case c.Revision != 0 && (!ok || cur.Revision != c.Revision):
		return 0, fmt.Errorf("%w: %s: want revision %d, have %d", s.schema.ConflictErr(), k, c.Revision, cur.Revision)
	}
	s.rev++
	s.data[k] = Entry[T]{Tenant: tenant, Record: s.schema.Stamped(r, s.now()), Revision: s.rev}
	return s.rev, nil
}

// Get reads the tenant's record id.
func (s *Mem[T]) Get(_ context.Context, tenant, id string) (Entry[T], error) {
	if err := s.schema.ValidateKey(tenant, id); err != nil {
		return Entry[T]{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[Key(tenant, id)]
	if !ok {
		return Entry[T]{}, fmt.Errorf("%w: %s", s.schema.NotFoundErr(), Key(tenant, id))
	}
	e.Record = s.schema.CloneRecord(e.Record)
	return e, nil
}

// List returns the tenant's records sorted by id.
func (s *Mem[T]) List(_ context.Context, tenant string) ([]Entry[T], error) {
	if err := s.schema.ValidateTenant(tenant); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Entry[T]{}
	for _, e := range s.data {
		if e.Tenant == tenant {
			e.Record = s.schema.CloneRecord(e.Record)
			out = append(out, e)
		}
	}
	s.schema.SortEntries(out)
	return out, nil
}

// Delete removes the tenant's record id (only at the revision IfRevision
// names, if given).
func (s *Mem[T]) Delete(_ context.Context, tenant, id string, opts ...WriteOption) error {
	if err := s.schema.ValidateKey(tenant, id); err != nil {
		return err
	}
	c := Conditions(opts)
	s.mu.Lock()
	defer s.mu.Unlock()
	k := Key(tenant, id)
	cur, ok := s.data[k]
	if !ok {
		return fmt.Errorf("%w: %s", s.schema.NotFoundErr(), k)
	}
	if c.Revision != 0 && cur.Revision != c.Revision {
		return fmt.Errorf("%w: %s: want revision %d, have %d", s.schema.ConflictErr(), k, c.Revision, cur.Revision)
	}
	s.rev++
	delete(s.data, k)
	return nil
}
