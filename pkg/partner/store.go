package partner

import (
	"context"
	"slices"
	"time"

	"github.com/mako-engine/mako/pkg/kvrecord"
)

// Store keeps partner records per tenant.
//
// Contract (checked by the conformance test for every implementation):
//   - Put validates tenant and record (ErrInvalid), sets UpdatedAt from the
//     store's clock and returns the new revision. Without options it
//     upserts; with kvrecord.IfAbsent it fails with ErrConflict if the record exists;
//     with kvrecord.IfRevision(n) it fails with ErrConflict unless the record exists
//     at revision n. Revisions grow with every write.
//   - Get returns the record and its revision, or ErrNotFound (also after
//     Delete).
//   - List returns the tenant's records sorted by MP-ID (empty, no error,
//     for a tenant without partners). Records of other tenants never show.
//   - Delete removes a record; with kvrecord.IfRevision(n) only at that revision
//     (else ErrConflict); deleting a missing record is ErrNotFound.
//   - All methods are safe for concurrent use.
type Store interface {
	Put(ctx context.Context, tenant string, p Partner, opts ...kvrecord.WriteOption) (uint64, error)
	Get(ctx context.Context, tenant, mpid string) (Entry, error)
	List(ctx context.Context, tenant string) ([]Entry, error)
	Delete(ctx context.Context, tenant, mpid string, opts ...kvrecord.WriteOption) error
}

// schema describes Partner to package kvrecord.
var schema = kvrecord.Schema[Partner]{
	Name:           "partner",
	IDName:         "MP-ID",
	ID:             func(p Partner) string { return p.MPID },
	ValidateTenant: ValidateTenant,
	ValidateKey: func(tenant, mpid string) error {
		if err := ValidateTenant(tenant); err != nil {
			return err
		}
		return ValidateMPID(mpid)
	},
	Validate: Partner.Validate,
	Clone:    clonePartner,
	Stamp:    func(p *Partner, t time.Time) { p.UpdatedAt = t },
	Encode:   Encode,
	Decode:   Decode,
	NotFound: ErrNotFound,
	Conflict: ErrConflict,
}

// entry converts a kvrecord entry to this package's Entry.
func entry(e kvrecord.Entry[Partner]) Entry {
	return Entry{Tenant: e.Tenant, Partner: e.Record, Revision: e.Revision}
}

func entries(es []kvrecord.Entry[Partner], err error) ([]Entry, error) {
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = entry(e)
	}
	return out, nil
}

// MemStore is an in-memory Store for unit tests.
type MemStore struct {
	kvStore
}

// NewMemStore returns an empty in-memory store. now may be nil (time.Now).
func NewMemStore(now func() time.Time) *MemStore {
	return &MemStore{kvStore{kvrecord.NewMem(schema, now)}}
}

// kvStore is the Store on a kvrecord store (NATSStore, MemStore).
type kvStore struct {
	kv kvrecord.Store[Partner]
}

// Put implements Store.
func (s kvStore) Put(ctx context.Context, tenant string, p Partner, opts ...kvrecord.WriteOption) (uint64, error) {
	return s.kv.Put(ctx, tenant, p, opts...)
}

// Get implements Store.
func (s kvStore) Get(ctx context.Context, tenant, mpid string) (Entry, error) {
	e, err := s.kv.Get(ctx, tenant, mpid)
	return entry(e), err
}

// List implements Store.
func (s kvStore) List(ctx context.Context, tenant string) ([]Entry, error) {
	return entries(s.kv.List(ctx, tenant))
}

// Delete implements Store.
func (s kvStore) Delete(ctx context.Context, tenant, mpid string, opts ...kvrecord.WriteOption) error {
	return s.kv.Delete(ctx, tenant, mpid, opts...)
}

func clonePartner(p Partner) Partner {
	p.Roles = slices.Clone(p.Roles)
	p.Channels = slices.Clone(p.Channels)
	p.Contacts = slices.Clone(p.Contacts)
	return p
}
