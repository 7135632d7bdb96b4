package partner

import (
	"context"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/kvrecord/natskv"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

// NATSStore is the Store on KV bucket mako_partners: one JSON value per
// partner under `<tenant>.<MP-ID>`; the KV revision is the record's
// revision (pkg/kvrecord). The bucket keeps 5 revisions per key
// (streams/KV_mako_partners.json), deleted ones as a delete marker.
type NATSStore struct {
	kvStore
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
	s.kvStore = kvStore{natskv.NewKV(kv, schema, s.now)}
	return s
}

// OpenNATS creates or updates bucket mako_partners from its definition in
// package streams (so the CLI works before any worker has started) and
// returns a store on it. replicas 0 keeps the definition's.
func OpenNATS(ctx context.Context, js jetstream.JetStream, replicas int, opts ...NATSOption) (*NATSStore, error) {
	kv, err := natskv.OpenBucket(ctx, js, streams.BucketPartners, replicas)
	if err != nil {
		return nil, fmt.Errorf("partner: %w", err)
	}
	return NewNATSStore(kv, opts...), nil
}
