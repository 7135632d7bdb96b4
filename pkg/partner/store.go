package partner

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Store keeps partner records per tenant.
//
// Contract (checked by the conformance test for every implementation):
//   - Put validates tenant and record (ErrInvalid), sets UpdatedAt from the
//     store's clock and returns the new revision. Without options it
//     upserts; with IfAbsent it fails with ErrConflict if the record exists;
//     with IfRevision(n) it fails with ErrConflict unless the record exists
//     at revision n. Revisions grow with every write.
//   - Get returns the record and its revision, or ErrNotFound (also after
//     Delete).
//   - List returns the tenant's records sorted by MP-ID (empty, no error,
//     for a tenant without partners). Records of other tenants never show.
//   - Delete removes a record; with IfRevision(n) only at that revision
//     (else ErrConflict); deleting a missing record is ErrNotFound.
//   - All methods are safe for concurrent use.
type Store interface {
	Put(ctx context.Context, tenant string, p Partner, opts ...WriteOption) (uint64, error)
	Get(ctx context.Context, tenant, mpid string) (Entry, error)
	List(ctx context.Context, tenant string) ([]Entry, error)
	Delete(ctx context.Context, tenant, mpid string, opts ...WriteOption) error
}

// WriteOption is a condition on Put or Delete.
type WriteOption func(*writeCond)

type writeCond struct {
	absent   bool
	revision uint64
}

// IfAbsent makes Put create-only.
func IfAbsent() WriteOption { return func(c *writeCond) { c.absent = true } }

// IfRevision makes the write succeed only if the record is at revision n
// (n = 0 is the same as IfAbsent for Put).
func IfRevision(n uint64) WriteOption {
	return func(c *writeCond) {
		if n == 0 {
			c.absent = true
			return
		}
		c.revision = n
	}
}

func conditions(opts []WriteOption) writeCond {
	var c writeCond
	for _, o := range opts {
		o(&c)
	}
	return c
}

// MemStore is an in-memory Store for unit tests.
type MemStore struct {
	mu   sync.Mutex
	rev  uint64
	data map[string]Entry
	now  func() time.Time
}

// NewMemStore returns an empty in-memory store. now may be nil (time.Now).
func NewMemStore(now func() time.Time) *MemStore {
	if now == nil {
		now = time.Now
	}
	return &MemStore{data: map[string]Entry{}, now: now}
}

// Put implements Store.
func (s *MemStore) Put(ctx context.Context, tenant string, p Partner, opts ...WriteOption) (uint64, error) {
	if err := ValidateTenant(tenant); err != nil {
		return 0, err
	}
	if err := p.Validate(); err != nil {
		return 0, err
	}
	c := conditions(opts)
	s.mu.Lock()
	defer s.mu.Unlock()
	k := Key(tenant, p.MPID)
	cur, ok := s.data[k]
	switch {
	case c.absent && ok:
		return 0, fmt.Errorf("%w: %s exists at revision %d", ErrConflict, k, cur.Revision)
	case c.revision != 0 && (!ok || cur.Revision != c.revision):
		return 0, fmt.Errorf("%w: %s: want revision %d, have %d", ErrConflict, k, c.revision, cur.Revision)
	}
	s.rev++
	p.UpdatedAt = s.now().UTC()
	p = clonePartner(p)
	s.data[k] = Entry{Tenant: tenant, Partner: p, Revision: s.rev}
	return s.rev, nil
}

// Get implements Store.
func (s *MemStore) Get(ctx context.Context, tenant, mpid string) (Entry, error) {
	if err := ValidateTenant(tenant); err != nil {
		return Entry{}, err
	}
	if err := ValidateMPID(mpid); err != nil {
		return Entry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[Key(tenant, mpid)]
	if !ok {
		return Entry{}, fmt.Errorf("%w: %s", ErrNotFound, Key(tenant, mpid))
	}
	e.Partner = clonePartner(e.Partner)
	return e, nil
}

// List implements Store.
func (s *MemStore) List(ctx context.Context, tenant string) ([]Entry, error) {
	if err := ValidateTenant(tenant); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Entry{}
	for _, e := range s.data {
		if e.Tenant == tenant {
			e.Partner = clonePartner(e.Partner)
			out = append(out, e)
		}
	}
	sortEntries(out)
	return out, nil
}

// Delete implements Store.
func (s *MemStore) Delete(ctx context.Context, tenant, mpid string, opts ...WriteOption) error {
	if err := ValidateTenant(tenant); err != nil {
		return err
	}
	if err := ValidateMPID(mpid); err != nil {
		return err
	}
	c := conditions(opts)
	s.mu.Lock()
	defer s.mu.Unlock()
	k := Key(tenant, mpid)
	cur, ok := s.data[k]
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, k)
	}
	if c.revision != 0 && cur.Revision != c.revision {
		return fmt.Errorf("%w: %s: want revision %d, have %d", ErrConflict, k, c.revision, cur.Revision)
	}
	s.rev++
	delete(s.data, k)
	return nil
}

func sortEntries(es []Entry) {
	slices.SortFunc(es, func(a, b Entry) int {
		switch {
		case a.Partner.MPID < b.Partner.MPID:
			return -1
		case a.Partner.MPID > b.Partner.MPID:
			return 1
		}
		return 0
	})
}

func clonePartner(p Partner) Partner {
	p.Roles = slices.Clone(p.Roles)
	p.Channels = slices.Clone(p.Channels)
	p.Contacts = slices.Clone(p.Contacts)
	return p
}
