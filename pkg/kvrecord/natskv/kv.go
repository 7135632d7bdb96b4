package natskv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/kvrecord"

	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

// jsErrWrongLastSequence is the JetStream error code of a failed
// expected-last-subject-sequence check (KV Update with a stale revision).
const jsErrWrongLastSequence = 10071

// KV keeps records in a JetStream KV bucket, one value per record under
// `<tenant>.<id>`; the KV revision is the record's revision, so the write
// conditions are the bucket's compare-and-set.
//
// Contract (shared with Mem):
//   - Put checks tenant and record, stamps the record with the clock and
//     returns the new revision. Without options it upserts; with IfAbsent it
//     fails with the Conflict error if the record exists; with IfRevision(n)
//     unless the record exists at revision n.
//   - Get returns the record and its revision, or the NotFound error (also
//     after Delete).
//   - List returns the tenant's records sorted by id (empty, no error, for a
//     tenant without records); other tenants' records never show.
//   - Delete removes a record (the bucket keeps a delete marker as history);
//     with IfRevision(n) only at that revision, else Conflict; a missing
//     record is NotFound.
//   - Safe for concurrent use.
type KV[T any] struct {
	kv     jetstream.KeyValue
	schema kvrecord.Schema[T]
	now    func() time.Time
}

// Option configures a KV store (and the NATS stores built on it: partner,
// malonats). An invalid option returns an error, which NewKV returns.
type Option func(*options) error

type options struct {
	now func() time.Time
}

// WithClock sets the clock of Stamp (default time.Now); now must not be
// nil.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("nil clock")
		}
		o.now = now
		return nil
	}
}

// NewKV returns a store of schema's records on an open bucket; it fails,
// naming the schema, if an option is invalid.
func NewKV[T any](kv jetstream.KeyValue, schema kvrecord.Schema[T], opts ...Option) (*KV[T], error) {
	o := options{now: time.Now}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("%s store: %w", schema.Name, err)
		}
	}
	return &KV[T]{kv: kv, schema: schema, now: o.now}, nil
}

// Put writes r under the condition of opts and returns its new revision.
func (s *KV[T]) Put(ctx context.Context, tenant string, r T, opts ...kvrecord.WriteOption) (uint64, error) {
	if err := s.schema.ValidateTenant(tenant); err != nil {
		return 0, err
	}
	if err := s.schema.Validate(r); err != nil {
		return 0, err
	}
	r = s.schema.Stamped(r, s.now())
	b, err := s.schema.Encode(r)
	if err != nil {
		return 0, err
	}
	k := kvrecord.Key(tenant, s.schema.ID(r))
	c := kvrecord.Conditions(opts)
	var rev uint64
	switch {
	case c.Absent:
		rev, err = s.kv.Create(ctx, k, b)
	case c.Revision != 0:
		rev, err = s.kv.Update(ctx, k, b, c.Revision)
	default:
		rev, err = s.kv.Put(ctx, k, b)
	}
	if err != nil {
		if isConflict(err) {
			return 0, fmt.Errorf("%w: %s: %v", s.schema.ConflictErr(), k, err)
		}
		return 0, fmt.Errorf("%s: put %s: %w", s.schema.Name, k, err)
	}
	return rev, nil
}

// Get reads the tenant's record id.
func (s *KV[T]) Get(ctx context.Context, tenant, id string) (kvrecord.Entry[T], error) {
	if err := s.schema.ValidateKey(tenant, id); err != nil {
		return kvrecord.Entry[T]{}, err
	}
	k := kvrecord.Key(tenant, id)
	e, err := s.kv.Get(ctx, k)
	if err != nil {
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return kvrecord.Entry[T]{}, fmt.Errorf("%w: %s", s.schema.NotFoundErr(), k)
		}
		return kvrecord.Entry[T]{}, fmt.Errorf("%s: get %s: %w", s.schema.Name, k, err)
	}
	return s.entryFrom(tenant, e)
}

func (s *KV[T]) entryFrom(tenant string, e jetstream.KeyValueEntry) (kvrecord.Entry[T], error) {
	r, err := s.schema.Decode(e.Value())
	if err != nil {
		return kvrecord.Entry[T]{}, fmt.Errorf("%s: %s revision %d: %w", s.schema.Name, e.Key(), e.Revision(), err)
	}
	if id, want := s.schema.ID(r), strings.TrimPrefix(e.Key(), tenant+"."); id != want {
		return kvrecord.Entry[T]{}, fmt.Errorf("%s: %s revision %d: record names %s %q", s.schema.Name, e.Key(), e.Revision(), s.schema.IDName, id)
	}
	return kvrecord.Entry[T]{Tenant: tenant, Record: r, Revision: e.Revision()}, nil
}

// List reads the latest value of every key of the tenant with one watcher.
func (s *KV[T]) List(ctx context.Context, tenant string) ([]kvrecord.Entry[T], error) {
	if err := s.schema.ValidateTenant(tenant); err != nil {
		return nil, err
	}
	w, err := s.kv.Watch(ctx, tenant+".*", jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("%s: list %s: %w", s.schema.Name, tenant, err)
	}
	defer func() { _ = w.Stop() }()
	out := []kvrecord.Entry[T]{}
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: list %s: %w", s.schema.Name, tenant, ctx.Err())
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("%s: list %s: watcher closed", s.schema.Name, tenant)
			}
			if e == nil { // all current values delivered
				s.schema.SortEntries(out)
				return out, nil
			}
			en, err := s.entryFrom(tenant, e)
			if err != nil {
				return nil, err
			}
			out = append(out, en)
		}
	}
}

// Delete removes the tenant's record id (at the current revision, or at the
// one IfRevision names).
func (s *KV[T]) Delete(ctx context.Context, tenant, id string, opts ...kvrecord.WriteOption) error {
	cur, err := s.Get(ctx, tenant, id)
	if err != nil {
		return err
	}
	k := kvrecord.Key(tenant, id)
	rev := cur.Revision
	if c := kvrecord.Conditions(opts); c.Revision != 0 {
		rev = c.Revision
	}
	if err := s.kv.Delete(ctx, k, jetstream.LastRevision(rev)); err != nil {
		if isConflict(err) {
			return fmt.Errorf("%w: %s: %v", s.schema.ConflictErr(), k, err)
		}
		return fmt.Errorf("%s: delete %s: %w", s.schema.Name, k, err)
	}
	return nil
}

// isConflict reports whether a KV write failed on its condition.
func isConflict(err error) bool {
	if errors.Is(err, jetstream.ErrKeyExists) {
		return true
	}
	var api *jetstream.APIError
	return errors.As(err, &api) && api.ErrorCode == jsErrWrongLastSequence
}

// OpenBucket creates or updates the KV bucket from its definition in
// package streams (so a CLI works before any worker has started) and binds
// it. replicas 0 keeps the definition's. Errors name the bucket.
func OpenBucket(ctx context.Context, js jetstream.JetStream, bucket string, replicas int) (jetstream.KeyValue, error) {
	var sopts []streams.Option
	if replicas > 0 {
		sopts = append(sopts, streams.WithReplicas(replicas))
	}
	if err := streams.EnsureStreams(ctx, js, []string{streams.KVStream(bucket)}, sopts...); err != nil {
		return nil, fmt.Errorf("bucket %s: %w", bucket, err)
	}
	kv, err := js.KeyValue(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("bucket %s: %w", bucket, err)
	}
	return kv, nil
}

var _ kvrecord.Store[struct{}] = (*KV[struct{}])(nil)
