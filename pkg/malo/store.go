package malo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/ident"
)

// Entry is a stored record with its tenant and revision.
type Entry struct {
	Tenant   string `json:"tenant"`
	Record   Record `json:"record"`
	Revision uint64 `json:"revision"`
}

// Store keeps MaLo records per tenant.
//
// Contract (checked by the conformance test for every implementation):
//   - Put validates tenant and record (ErrInvalid), sets UpdatedAt from the
//     store's clock and returns the new revision. Without options it
//     upserts; with IfAbsent it fails with ErrConflict if the record exists;
//     with IfRevision(n) it fails with ErrConflict unless the record exists
//     at revision n. Revisions grow with every write.
//   - Get returns the record and its revision, or ErrNotFound.
//   - Lookup is Get for readers that treat an unknown MaLo as a fact, not an
//     error: it returns (nil, nil) when no record exists.
//   - List returns the tenant's records sorted by MaLo-ID (empty, no error,
//     for a tenant without records). Records of other tenants never show.
//   - Delete removes a record; with IfRevision(n) only at that revision
//     (else ErrConflict); deleting a missing record is ErrNotFound.
//   - Invalid tenants and MaLo-IDs are ErrInvalid. All methods are safe for
//     concurrent use.
type Store interface {
	Reader
	Put(ctx context.Context, tenant string, r Record, opts ...WriteOption) (uint64, error)
	Get(ctx context.Context, tenant, maloID string) (Entry, error)
	List(ctx context.Context, tenant string) ([]Entry, error)
	Delete(ctx context.Context, tenant, maloID string, opts ...WriteOption) error
}

// Reader reads master data (what an Enricher needs).
type Reader interface {
	// Lookup returns the tenant's record of the MaLo, or nil without error
	// when none exists. An invalid MaLo-ID is ErrInvalid.
	Lookup(ctx context.Context, tenant, maloID string) (*Record, error)
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
// (n = 0 is the same as IfAbsent).
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

func validateKey(tenant, maloID string) error {
	if err := ValidateTenant(tenant); err != nil {
		return err
	}
	if err := ident.ValidateMaLo(maloID); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// Update reads the tenant's record of the MaLo (a zero Record with MaLo set
// and exists = false if there is none), calls f and writes its result with
// optimistic concurrency, retrying f on a conflict (up to 16 times). If f
// returns write = false nothing is written and the current entry is
// returned. f may be called more than once and must be pure. The returned
// entry holds the record as written (UpdatedAt is the store's; re-read it
// with Get if needed).
func Update(ctx context.Context, s Store, tenant, maloID string, f func(r Record, exists bool) (out Record, write bool, err error)) (Entry, error) {
	if err := validateKey(tenant, maloID); err != nil {
		return Entry{}, err
	}
	var lastErr error
	for attempt := 0; attempt < 16; attempt++ {
		cur, err := s.Get(ctx, tenant, maloID)
		exists := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Entry{}, err
		}
		if !exists {
			cur = Entry{Tenant: tenant, Record: Record{MaLo: maloID}}
		}
		out, write, err := f(cur.Record.Clone(), exists)
		if err != nil {
			return Entry{}, err
		}
		if !write {
			return cur, nil
		}
		if out.MaLo != maloID {
			return Entry{}, fmt.Errorf("%w: update of %s returned record %q", ErrInvalid, maloID, out.MaLo)
		}
		rev, err := s.Put(ctx, tenant, out, IfRevision(cur.Revision))
		if err == nil {
			return Entry{Tenant: tenant, Record: out, Revision: rev}, nil
		}
		if !errors.Is(err, ErrConflict) {
			return Entry{}, err
		}
		lastErr = err
		if err := ctx.Err(); err != nil {
			return Entry{}, err
		}
	}
	return Entry{}, fmt.Errorf("malo: update %s: too many conflicts: %w", Key(tenant, maloID), lastErr)
}

// ApplyChange applies c to the tenant's record once per id (a workflow
// event id; "" = no deduplication): if the record lists id in Applied, it
// is left alone and applied is false. The id is recorded (the newest
// MaxApplied are kept). An invalid change is ErrInvalid.
func ApplyChange(ctx context.Context, s Store, tenant, id string, c Change) (applied bool, err error) {
	if err := c.Validate(); err != nil {
		return false, err
	}
	_, err = Update(ctx, s, tenant, c.MaLo, func(r Record, _ bool) (Record, bool, error) {
		if r.HasApplied(id) {
			applied = false
			return r, false, nil
		}
		out := Apply(r, c)
		if id != "" {
			out.Applied = append(out.Applied, id)
			if n := len(out.Applied); n > MaxApplied {
				out.Applied = slices.Clone(out.Applied[n-MaxApplied:])
			}
		}
		applied = true
		return out, true, nil
	})
	if err != nil {
		return false, fmt.Errorf("malo: apply %s to %s: %w", c.Kind, Key(tenant, c.MaLo), err)
	}
	return applied, nil
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
func (s *MemStore) Put(ctx context.Context, tenant string, r Record, opts ...WriteOption) (uint64, error) {
	if err := ValidateTenant(tenant); err != nil {
		return 0, err
	}
	if err := r.Validate(); err != nil {
		return 0, err
	}
	c := conditions(opts)
	s.mu.Lock()
	defer s.mu.Unlock()
	k := Key(tenant, r.MaLo)
	cur, ok := s.data[k]
	switch {
	case c.absent && ok:
		return 0, fmt.Errorf("%w: %s exists at revision %d", ErrConflict, k, cur.Revision)
	case c.revision != 0 && (!ok || cur.Revision != c.revision):
		return 0, fmt.Errorf("%w: %s: want revision %d, have %d", ErrConflict, k, c.revision, cur.Revision)
	}
	s.rev++
	r = r.Clone()
	r.UpdatedAt = s.now().UTC()
	s.data[k] = Entry{Tenant: tenant, Record: r, Revision: s.rev}
	return s.rev, nil
}

// Get implements Store.
func (s *MemStore) Get(ctx context.Context, tenant, maloID string) (Entry, error) {
	if err := validateKey(tenant, maloID); err != nil {
		return Entry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.data[Key(tenant, maloID)]
	if !ok {
		return Entry{}, fmt.Errorf("%w: %s", ErrNotFound, Key(tenant, maloID))
	}
	e.Record = e.Record.Clone()
	return e, nil
}

// Lookup implements Reader.
func (s *MemStore) Lookup(ctx context.Context, tenant, maloID string) (*Record, error) {
	return lookup(ctx, s, tenant, maloID)
}

func lookup(ctx context.Context, s Store, tenant, maloID string) (*Record, error) {
	e, err := s.Get(ctx, tenant, maloID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &e.Record, nil
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
			e.Record = e.Record.Clone()
			out = append(out, e)
		}
	}
	sortEntries(out)
	return out, nil
}

// Delete implements Store.
func (s *MemStore) Delete(ctx context.Context, tenant, maloID string, opts ...WriteOption) error {
	if err := validateKey(tenant, maloID); err != nil {
		return err
	}
	c := conditions(opts)
	s.mu.Lock()
	defer s.mu.Unlock()
	k := Key(tenant, maloID)
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
	slices.SortFunc(es, func(a, b Entry) int { return strings.Compare(a.Record.MaLo, b.Record.MaLo) })
}
