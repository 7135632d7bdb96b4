package malo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/kvrecord"
)

// Entry is a stored record with its tenant and revision.
type Entry = kvrecord.Entry[Record]

// Store keeps MaLo records per tenant.
//
// Contract (checked by the conformance test for every implementation):
//   - Put validates tenant and record (ErrInvalid), sets UpdatedAt from the
//     store's clock and returns the new revision. Without options it
//     upserts; with kvrecord.IfAbsent it fails with ErrConflict if the record exists;
//     with kvrecord.IfRevision(n) it fails with ErrConflict unless the record exists
//     at revision n. Revisions grow with every write.
//   - Get returns the record and its revision, or ErrNotFound.
//   - Lookup is Get for readers that treat an unknown MaLo as a fact, not an
//     error: it returns (nil, nil) when no record exists.
//   - List returns the tenant's records sorted by MaLo-ID (empty, no error,
//     for a tenant without records). Records of other tenants never show.
//   - Delete removes a record; with kvrecord.IfRevision(n) only at that revision
//     (else ErrConflict); deleting a missing record is ErrNotFound.
//   - Invalid tenants and MaLo-IDs are ErrInvalid. All methods are safe for
//     concurrent use.
type Store interface {
	Reader
	Put(ctx context.Context, tenant string, r Record, opts ...kvrecord.WriteOption) (uint64, error)
	Get(ctx context.Context, tenant, maloID string) (Entry, error)
	List(ctx context.Context, tenant string) ([]Entry, error)
	Delete(ctx context.Context, tenant, maloID string, opts ...kvrecord.WriteOption) error
}

// Reader reads master data (what an Enricher needs).
type Reader interface {
	// Lookup returns the tenant's record of the MaLo, or nil without error
	// when none exists. An invalid MaLo-ID is ErrInvalid.
	Lookup(ctx context.Context, tenant, maloID string) (*Record, error)
}

// schema describes Record to package kvrecord.
var schema = kvrecord.Schema[Record]{
	Name:           "malo",
	IDName:         "MaLo",
	ID:             func(r Record) string { return r.MaLo },
	ValidateTenant: ValidateTenant,
	ValidateKey:    ValidateKey,
	Validate:       Record.Validate,
	Clone:          Record.Clone,
	Stamp:          func(r *Record, t time.Time) { r.UpdatedAt = t },
	Encode:         Encode,
	Decode:         Decode,
	NotFound:       ErrNotFound,
	Conflict:       ErrConflict,
}

// ValidateKey checks a tenant id and a MaLo-ID (check digit) as keys of the
// store (ErrInvalid).
func ValidateKey(tenant, maloID string) error {
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
	if err := ValidateKey(tenant, maloID); err != nil {
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
		rev, err := s.Put(ctx, tenant, out, kvrecord.IfRevision(cur.Revision))
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
	KVStore
}

// NewMemStore returns an empty in-memory store. now may be nil (time.Now).
func NewMemStore(now func() time.Time) *MemStore {
	return &MemStore{NewKVStore(kvrecord.NewMem(Schema(), now))}
}

// KVStore is the Store on a kvrecord store (malonats.NATSStore, MemStore):
// Put, Get, List and Delete are the kvrecord store's (write conditions
// kvrecord.IfAbsent and kvrecord.IfRevision, shared with pkg/partner);
// Lookup is added.
type KVStore struct {
	kvrecord.Store[Record]
}

// Lookup implements Reader.
func (s KVStore) Lookup(ctx context.Context, tenant, maloID string) (*Record, error) {
	return lookup(ctx, s, tenant, maloID)
}

// NewKVStore returns the Store on kv, a kvrecord store built with Schema.
func NewKVStore(kv kvrecord.Store[Record]) KVStore { return KVStore{kv} }

// Schema returns the kvrecord schema of the records (ids, validation,
// encoding, errors).
func Schema() kvrecord.Schema[Record] { return schema }

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

// Encode returns the JSON of a record as stored.
func Encode(r Record) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("malo: encode %s: %w", r.MaLo, err)
	}
	return b, nil
}

// Decode parses a stored record, rejecting unknown fields.
func Decode(b []byte) (Record, error) {
	var r Record
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return Record{}, fmt.Errorf("malo: decode: %w", err)
	}
	return r, nil
}
