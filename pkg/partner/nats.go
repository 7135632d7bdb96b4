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
	st, err := natskv.NewKV(kv, schema, opts...)
	if err != nil {
		return nil, fmt.Errorf("partner: %w", err)
	}
	return &NATSStore{kvStore{st}}, nil
}

// OpenNATS creates or updates bucket mako_partners from its definition in
// package streams (so the CLI works before any worker has started) and
// returns a store on it. replicas 0 keeps the definition's.
func OpenNATS(ctx context.Context, js jetstream.JetStream, replicas int, opts ...NATSOption) (*NATSStore, error) {
	kv, err := natskv.OpenBucket(ctx, js, streams.BucketPartners, replicas)
	if err != nil {
		return nil, fmt.Errorf("partner: %w", err)
	}
	return NewNATSStore(kv, opts...)
}
