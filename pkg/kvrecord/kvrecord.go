// Package kvrecord keeps tenant-scoped records, one encoded value per record
// under the key `<tenant>.<id>`, with the revision as the
// optimistic-concurrency token. KV is the implementation on a JetStream KV
// bucket (the bucket's revision is the record's), Mem its in-memory twin for
// unit tests; both keep the same contract, so a package with a record type
// (pkg/malo, pkg/partner) describes the type once in a Schema and wraps
// either store.
package kvrecord

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
)

// Errors returned (wrapped) when the Schema names no error of its own.
var (
	// ErrNotFound reports that no record exists for the tenant and id.
	ErrNotFound = errors.New("kvrecord: not found")
	// ErrConflict reports a failed write condition (IfAbsent, IfRevision).
	ErrConflict = errors.New("kvrecord: revision conflict")
)

// Schema describes a record type T to a store. All funcs must be pure and
// safe for concurrent use; the validators return their package's typed
// errors (the store returns them unchanged).
type Schema[T any] struct {
	// Name prefixes the store's own errors, e.g. "malo".
	Name string
	// IDName names the id in errors, e.g. "MaLo" or "MP-ID".
	IDName string
	// ID returns the record's id (the key's second part).
	ID func(T) string
	// ValidateTenant checks a tenant id.
	ValidateTenant func(tenant string) error
	// ValidateKey checks a tenant and record id (Get, Delete).
	ValidateKey func(tenant, id string) error
	// Validate checks a record before Put (after ValidateTenant).
	Validate func(T) error
	// Clone returns a deep copy (nil: values are copied as they are).
	Clone func(T) T
	// Stamp sets the record's write time (nil: none).
	Stamp func(*T, time.Time)
	// Encode and Decode convert a record to and from its stored value.
	Encode func(T) ([]byte, error)
	Decode func([]byte) (T, error)
	// NotFound and Conflict are the errors wrapped for a missing record and
	// a failed condition (nil: ErrNotFound, ErrConflict).
	NotFound, Conflict error
}

// NotFoundErr returns the error of a missing record (NotFound, else ErrNotFound).
func (s Schema[T]) NotFoundErr() error {
	if s.NotFound != nil {
		return s.NotFound
	}
	return ErrNotFound
}

// ConflictErr returns the error of a failed write condition (Conflict, else
// ErrConflict).
func (s Schema[T]) ConflictErr() error {
	if s.Conflict != nil {
		return s.Conflict
	}
	return ErrConflict
}

// CloneRecord returns a deep copy of r (Clone; r itself without it).
func (s Schema[T]) CloneRecord(r T) T {
	if s.Clone == nil {
		return r
	}
	return s.Clone(r)
}

// Stamped returns a copy of r with its write time set to now (UTC).
func (s Schema[T]) Stamped(r T, now time.Time) T {
	r = s.CloneRecord(r)
	if s.Stamp != nil {
		s.Stamp(&r, now.UTC())
	}
	return r
}

// SortEntries sorts es by record id.
func (s Schema[T]) SortEntries(es []Entry[T]) {
	slices.SortFunc(es, func(a, b Entry[T]) int { return strings.Compare(s.ID(a.Record), s.ID(b.Record)) })
}

// Entry is a stored record with its tenant and revision.
type Entry[T any] struct {
	Tenant   string `json:"tenant"`
	Record   T      `json:"record"`
	Revision uint64 `json:"revision"`
}

// Store is the contract KV and Mem share (stated on KV).
type Store[T any] interface {
	Put(ctx context.Context, tenant string, r T, opts ...WriteOption) (uint64, error)
	Get(ctx context.Context, tenant, id string) (Entry[T], error)
	List(ctx context.Context, tenant string) ([]Entry[T], error)
	Delete(ctx context.Context, tenant, id string, opts ...WriteOption) error
}

var (
	_ Store[struct{}] = (*Mem[struct{}])(nil)
)

// Key returns the key of a record: `<tenant>.<id>`.
func Key(tenant, id string) string { return tenant + "." + id }

// Cond is the condition of a write.
type Cond struct {
	// Absent makes Put create-only.
	Absent bool
	// Revision (non-zero) makes the write succeed only at that revision.
	Revision uint64
}

// WriteOption is a condition on Put or Delete.
type WriteOption func(*Cond)

// IfAbsent makes Put create-only.
func IfAbsent() WriteOption { return func(c *Cond) { c.Absent = true } }

// IfRevision makes the write succeed only if the record is at revision n
// (n = 0 is the same as IfAbsent for Put).
func IfRevision(n uint64) WriteOption {
	return func(c *Cond) {
		if n == 0 {
			c.Absent = true
			return
		}
		c.Revision = n
	}
}

// Conditions folds opts into one Cond.
func Conditions(opts []WriteOption) Cond {
	var c Cond
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Clock returns now, or time.Now when now is nil.
func Clock(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}
