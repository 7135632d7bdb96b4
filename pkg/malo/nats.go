package malo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the KV bucket of the records (streams/KV_mako_malo.json).
const Bucket = "mako_malo"

// jsErrWrongLastSequence is the JetStream error code of a failed
// expected-last-subject-sequence check (KV Update with a stale revision).
const jsErrWrongLastSequence = 10071

// NATSStore is the Store on KV bucket mako_malo: one JSON value (Record)
// per MaLo under `<tenant>.<MaLo-ID>`; the KV revision is the record's
// revision, so Update's compare-and-set is the KV's.
type NATSStore struct {
	kv  jetstream.KeyValue
	now func() time.Time
}

// NATSOption configures a NATSStore.
type NATSOption func(*NATSStore)

// WithClock sets the clock of UpdatedAt (default time.Now).
func WithClock(now func() time.Time) NATSOption {
	return func(s *NATSStore) {
		if now != nil {
			s.now = now
		}
	}
}

// NewNATSStore returns a store on an open bucket.
func NewNATSStore(kv jetstream.KeyValue, opts ...NATSOption) *NATSStore {
	s := &NATSStore{kv: kv, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// OpenNATS creates or updates bucket mako_malo from its definition in
// package streams (so the CLI works before any worker has started) and
// returns a store on it. replicas 0 keeps the definition's.
func OpenNATS(ctx context.Context, js jetstream.JetStream, replicas int, opts ...NATSOption) (*NATSStore, error) {
	var sopts []streams.Option
	if replicas > 0 {
		sopts = append(sopts, streams.WithReplicas(replicas))
	}
	if err := streams.EnsureStreams(ctx, js, []string{streams.KVStream(Bucket)}, sopts...); err != nil {
		return nil, fmt.Errorf("malo: bucket %s: %w", Bucket, err)
	}
	kv, err := js.KeyValue(ctx, Bucket)
	if err != nil {
		return nil, fmt.Errorf("malo: bucket %s: %w", Bucket, err)
	}
	return NewNATSStore(kv, opts...), nil
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

// Put implements Store.
func (s *NATSStore) Put(ctx context.Context, tenant string, r Record, opts ...WriteOption) (uint64, error) {
	if err := ValidateTenant(tenant); err != nil {
		return 0, err
	}
	if err := r.Validate(); err != nil {
		return 0, err
	}
	r = r.Clone()
	r.UpdatedAt = s.now().UTC()
	b, err := Encode(r)
	if err != nil {
		return 0, err
	}
	k := Key(tenant, r.MaLo)
	c := conditions(opts)
	var rev uint64
	switch {
	case c.absent:
		rev, err = s.kv.Create(ctx, k, b)
	case c.revision != 0:
		rev, err = s.kv.Update(ctx, k, b, c.revision)
	default:
		rev, err = s.kv.Put(ctx, k, b)
	}
	if err != nil {
		if isConflict(err) {
			return 0, fmt.Errorf("%w: %s: %v", ErrConflict, k, err)
		}
		return 0, fmt.Errorf("malo: put %s: %w", k, err)
	}
	return rev, nil
}

// Get implements Store.
func (s *NATSStore) Get(ctx context.Context, tenant, maloID string) (Entry, error) {
	if err := validateKey(tenant, maloID); err != nil {
		return Entry{}, err
	}
	k := Key(tenant, maloID)
	e, err := s.kv.Get(ctx, k)
	if err != nil {
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return Entry{}, fmt.Errorf("%w: %s", ErrNotFound, k)
		}
		return Entry{}, fmt.Errorf("malo: get %s: %w", k, err)
	}
	return entryFrom(tenant, e)
}

// Lookup implements Reader.
func (s *NATSStore) Lookup(ctx context.Context, tenant, maloID string) (*Record, error) {
	return lookup(ctx, s, tenant, maloID)
}

func entryFrom(tenant string, e jetstream.KeyValueEntry) (Entry, error) {
	r, err := Decode(e.Value())
	if err != nil {
		return Entry{}, fmt.Errorf("malo: %s revision %d: %w", e.Key(), e.Revision(), err)
	}
	if want := strings.TrimPrefix(e.Key(), tenant+"."); r.MaLo != want {
		return Entry{}, fmt.Errorf("malo: %s revision %d: record names MaLo %q", e.Key(), e.Revision(), r.MaLo)
	}
	return Entry{Tenant: tenant, Record: r, Revision: e.Revision()}, nil
}

// List implements Store. It reads the latest value of every key of the
// tenant with one watcher.
func (s *NATSStore) List(ctx context.Context, tenant string) ([]Entry, error) {
	if err := ValidateTenant(tenant); err != nil {
		return nil, err
	}
	w, err := s.kv.Watch(ctx, tenant+".*", jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("malo: list %s: %w", tenant, err)
	}
	defer func() { _ = w.Stop() }()
	out := []Entry{}
	for {
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("malo: list %s: %w", tenant, ctx.Err())
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("malo: list %s: watcher closed", tenant)
			}
			if e == nil { // all current values delivered
				sortEntries(out)
				return out, nil
			}
			en, err := entryFrom(tenant, e)
			if err != nil {
				return nil, err
			}
			out = append(out, en)
		}
	}
}

// Delete implements Store. The bucket keeps the deleted revisions as
// history (a delete marker), up to its history depth.
func (s *NATSStore) Delete(ctx context.Context, tenant, maloID string, opts ...WriteOption) error {
	cur, err := s.Get(ctx, tenant, maloID)
	if err != nil {
		return err
	}
	k := Key(tenant, maloID)
	c := conditions(opts)
	rev := cur.Revision
	if c.revision != 0 {
		rev = c.revision
	}
	if err := s.kv.Delete(ctx, k, jetstream.LastRevision(rev)); err != nil {
		if isConflict(err) {
			return fmt.Errorf("%w: %s: %v", ErrConflict, k, err)
		}
		return fmt.Errorf("malo: delete %s: %w", k, err)
	}
	return nil
}

func isConflict(err error) bool {
	if errors.Is(err, jetstream.ErrKeyExists) {
		return true
	}
	var api *jetstream.APIError
	return errors.As(err, &api) && api.ErrorCode == jsErrWrongLastSequence
}

// KVReader is a Reader on bucket mako_malo that binds the bucket on first
// use, so it can be built before the bucket exists — for example when the
// workflow modules (and their enrichers) are assembled before pipeline.New
// has created the streams. A failed bind is retried on the next Lookup.
type KVReader struct {
	js    jetstream.JetStream
	mu    sync.Mutex
	store *NATSStore
}

// NewKVReader returns a lazily bound reader on js.
func NewKVReader(js jetstream.JetStream) *KVReader { return &KVReader{js: js} }

// Lookup implements Reader.
func (r *KVReader) Lookup(ctx context.Context, tenant, maloID string) (*Record, error) {
	if err := validateKey(tenant, maloID); err != nil {
		return nil, err
	}
	r.mu.Lock()
	st := r.store
	if st == nil {
		kv, err := r.js.KeyValue(ctx, Bucket)
		if err != nil {
			r.mu.Unlock()
			return nil, fmt.Errorf("malo: bucket %s: %w", Bucket, err)
		}
		st = NewNATSStore(kv)
		r.store = st
	}
	r.mu.Unlock()
	return st.Lookup(ctx, tenant, maloID)
}
