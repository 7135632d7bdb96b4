package partner

import (
	"context"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/kvrecord"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

// NATSStore is the Store on KV bucket mako_partners: one JSON value per
// partner under `<tenant>.<MP-ID>`; the KV revision is the record's
// revision (pkg/kvrecord). The bucket keeps 5 revisions per key
// (streams/KV_mako_partners.json).
type NATSStore struct {
	kv  *kvrecord.KV[Partner]
	now func() time.Time
}

// NATSOption configures a NATSStore.
type NATSOption func(*NATSStore)

// WithClock sets the clock of UpdatedAt (default time.Now).
func WithClock(now func() time.Time) NATSOption { return func(s *NATSStore) { s.now = now } }

// NewNATSStore returns a store on an open bucket.
func NewNATSStore(kv jetstream.KeyValue, opts ...NATSOption) *NATSStore {
	s := &NATSStore{now: time.Now}
	for _, o := range opts {
		o(s)
	}
	s.kv = kvrecord.NewKV(kv, schema, s.now)
	return s
}

// OpenNATS creates or updates bucket mako_partners from its definition in
// package streams (so the CLI works before any worker has started) and
// returns a store on it. replicas 0 keeps the definition's.
func OpenNATS(ctx context.Context, js jetstream.JetStream, replicas int, opts ...NATSOption) (*NATSStore, error) {
	kv, err := kvrecord.OpenBucket(ctx, js, streams.BucketPartners, replicas)
	if err != nil {
		return nil, fmt.Errorf("partner: %w", err)
	}
	return NewNATSStore(kv, opts...), nil
}

// Put implements Store.
func (s *NATSStore) Put(ctx context.Context, tenant string, p Partner, opts ...WriteOption) (uint64, error) {
	return s.kv.Put(ctx, tenant, p, opts...)
}

// Get implements Store.
func (s *NATSStore) Get(ctx context.Context, tenant, mpid string) (Entry, error) {
	e, err := s.kv.Get(ctx, tenant, mpid)
	return entry(e), err
}

// List implements Store. It reads the latest value of every key of the
// tenant with one watcher.
func (s *NATSStore) List(ctx context.Context, tenant string) ([]Entry, error) {
	return entries(s.kv.List(ctx, tenant))
}

// Delete implements Store. The bucket keeps the deleted revisions as
// history (a delete marker), up to its history depth.
func (s *NATSStore) Delete(ctx context.Context, tenant, mpid string, opts ...WriteOption) error {
	return s.kv.Delete(ctx, tenant, mpid, opts...)
}
