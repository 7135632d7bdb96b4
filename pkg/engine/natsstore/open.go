package natsstore

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mako-engine/mako/streams"
)

// Stores bundles the four JetStream-backed engine stores.
type Stores struct {
	Events    *EventStore
	Snapshots *SnapshotStore
	Registry  *Registry
	Inbox     *Inbox
}

// Open binds all four stores. The snapshot store shares the event store's
// anchor cache (snapshots record the stream sequence of their commit, so
// the tail after a snapshot is read without a search). With WithEnsure it first creates or updates
// MAKO_EVENTS and the buckets mako_snapshots, mako_registry and mako_inbox
// from the definitions of package streams (idempotent); without it they
// must exist. Custom names (WithEventStream, WithBuckets) are not created by
// WithEnsure.
func Open(ctx context.Context, js jetstream.JetStream, opts ...Option) (*Stores, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	if cfg.ensure {
		var sopts []streams.Option
		if cfg.replicas > 0 {
			sopts = append(sopts, streams.WithReplicas(cfg.replicas))
		}
		if err := streams.EnsureStreams(ctx, js, streams.EngineStreams(), sopts...); err != nil {
			return nil, err
		}
	}
	ev, err := NewEventStore(ctx, js, opts...)
	if err != nil {
		return nil, err
	}
	sn, err := NewSnapshotStore(ctx, js, opts...)
	if err != nil {
		return nil, err
	}
	sn.events = ev
	rg, err := NewRegistry(ctx, js, opts...)
	if err != nil {
		return nil, err
	}
	in, err := NewInbox(ctx, js, opts...)
	if err != nil {
		return nil, err
	}
	return &Stores{Events: ev, Snapshots: sn, Registry: rg, Inbox: in}, nil
}

// Close releases the stores' pooled subscriptions (not the connection).
func (s *Stores) Close() {
	s.Events.Close()
	s.Registry.Close()
}
