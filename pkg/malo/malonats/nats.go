package malonats

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mako-engine/mako/pkg/malo"

	"github.com/mako-engine/mako/pkg/kvrecord/natskv"
	"github.com/nats-io/nats.go/jetstream"
)

// Bucket is the KV bucket of the records (streams/KV_mako_malo.json).
const Bucket = "mako_malo"

// NATSStore is the Store on KV bucket mako_malo: one JSON value (Record)
// per MaLo under `<tenant>.<MaLo-ID>`; the KV revision is the record's
// revision, so Update's compare-and-set is the KV's (pkg/kvrecord). The
// bucket keeps the deleted revisions as history (a delete marker), up to
// its history depth.
type NATSStore struct {
	malo.KVStore
}

// NATSOption configures a NATSStore (pkg/kvrecord/natskv). An invalid
// option returns an error, which NewNATSStore (and OpenNATS) returns.
type NATSOption = natskv.Option

// WithClock sets the clock of UpdatedAt (default time.Now); now must not
// be nil.
func WithClock(now func() time.Time) NATSOption { return natskv.WithClock(now) }

// NewNATSStore returns a store on an open bucket; it fails if an option is
// invalid.
func NewNATSStore(kv jetstream.KeyValue, opts ...NATSOption) (*NATSStore, error) {
	st, err := natskv.NewKV(kv, malo.Schema(), opts...)
	if err != nil {
		return nil, fmt.Errorf("malo: %w", err)
	}
	return &NATSStore{malo.NewKVStore(st)}, nil
}

// OpenNATS creates or updates bucket mako_malo from its definition in
// package streams (so the CLI works before any worker has started) and
// returns a store on it. replicas 0 keeps the definition's.
func OpenNATS(ctx context.Context, js jetstream.JetStream, replicas int, opts ...NATSOption) (*NATSStore, error) {
	kv, err := natskv.OpenBucket(ctx, js, Bucket, replicas)
	if err != nil {
		return nil, fmt.Errorf("malo: %w", err)
	}
	return NewNATSStore(kv, opts...)
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
func (r *KVReader) Lookup(ctx context.Context, tenant, maloID string) (*malo.Record, error) {
	if err := malo.ValidateKey(tenant, maloID); err != nil {
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
		if st, err = NewNATSStore(kv); err != nil {
			r.mu.Unlock()
			return nil, err
		}
		r.store = st
	}
	r.mu.Unlock()
	return st.Lookup(ctx, tenant, maloID)
}
