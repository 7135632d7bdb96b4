// Package memstore holds in-memory implementations of the engine's store
// contracts (engine.EventStore, engine.SnapshotStore, engine.Registry,
// engine.Inbox). They are for workflow unit tests and benchmarks: nothing
// survives the process. All are safe for concurrent use and pass the
// enginetest conformance suites.
package memstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
)

// EventStore is an in-memory engine.EventStore.
type EventStore struct {
	mu      sync.RWMutex
	streams map[engine.StreamID][]engine.EventEnvelope
	now     func() time.Time
}

var _ engine.EventStore = (*EventStore)(nil)

// NewEventStore returns an empty store that stamps appends with
// time.Now().UTC().
func NewEventStore() *EventStore {
	return &EventStore{streams: map[engine.StreamID][]engine.EventEnvelope{}, now: func() time.Time { return time.Now().UTC() }}
}

// Append implements engine.EventStore. Payloads are copied.
func (s *EventStore) Append(ctx context.Context, stream engine.StreamID, expected engine.ExpectedVersion, events []engine.NewEvent) ([]engine.EventEnvelope, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := stream.Validate(); err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%w: stream %s: append without events", engine.ErrInvalidArgument, stream)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.streams[stream]
	actual := uint64(len(cur))
	if !expected.Matches(actual) {
		return nil, &engine.ConflictError{Stream: stream, Expected: expected, Actual: actual}
	}
	ts := s.now()
	out := make([]engine.EventEnvelope, len(events))
	for i, ev := range events {
		if ev.EventID == "" {
			ev.EventID = engine.EventID(engine.NewUUIDv4().String())
		}
		ev.Payload = bytes.Clone(ev.Payload)
		out[i] = ev.Envelope(stream, actual+uint64(i)+1, ts)
	}
	// Elements below len are never modified, so readers may keep old slice
	// headers without holding the lock.
	s.streams[stream] = append(cur, out...)
	return slices.Clone(out), nil
}

func (s *EventStore) events(ctx context.Context, stream engine.StreamID) ([]engine.EventEnvelope, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := stream.Validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.streams[stream], nil
}

// Load implements engine.EventStore.
func (s *EventStore) Load(ctx context.Context, stream engine.StreamID) ([]engine.EventEnvelope, error) {
	return s.LoadFrom(ctx, stream, 0)
}

// LoadFrom implements engine.EventStore.
func (s *EventStore) LoadFrom(ctx context.Context, stream engine.StreamID, after uint64) ([]engine.EventEnvelope, error) {
	evs, err := s.events(ctx, stream)
	if err != nil {
		return nil, err
	}
	if after >= uint64(len(evs)) {
		return []engine.EventEnvelope{}, nil
	}
	return slices.Clone(evs[after:]), nil
}

// Fold implements engine.EventStore.
func (s *EventStore) Fold(ctx context.Context, stream engine.StreamID, after uint64, fn func(engine.EventEnvelope) error) error {
	evs, err := s.events(ctx, stream)
	if err != nil {
		return err
	}
	for i := after; i < uint64(len(evs)); i++ {
		if err := fn(evs[i]); err != nil {
			return err
		}
	}
	return nil
}

// Version implements engine.EventStore.
func (s *EventStore) Version(ctx context.Context, stream engine.StreamID) (uint64, error) {
	evs, err := s.events(ctx, stream)
	return uint64(len(evs)), err
}

// SnapshotStore is an in-memory engine.SnapshotStore.
type SnapshotStore struct {
	mu    sync.RWMutex
	snaps map[engine.StreamID]engine.Snapshot
}

var _ engine.SnapshotStore = (*SnapshotStore)(nil)

// NewSnapshotStore returns an empty store.
func NewSnapshotStore() *SnapshotStore {
	return &SnapshotStore{snaps: map[engine.StreamID]engine.Snapshot{}}
}

// Save implements engine.SnapshotStore.
func (s *SnapshotStore) Save(ctx context.Context, snap engine.Snapshot) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := snap.Stream.Validate(); err != nil {
		return err
	}
	snap.State = bytes.Clone(snap.State)
	s.mu.Lock()
	s.snaps[snap.Stream] = snap
	s.mu.Unlock()
	return nil
}

// Load implements engine.SnapshotStore.
func (s *SnapshotStore) Load(ctx context.Context, stream engine.StreamID) (engine.Snapshot, bool, error) {
	if err := ctx.Err(); err != nil {
		return engine.Snapshot{}, false, err
	}
	if err := stream.Validate(); err != nil {
		return engine.Snapshot{}, false, err
	}
	s.mu.RLock()
	snap, ok := s.snaps[stream]
	s.mu.RUnlock()
	snap.State = bytes.Clone(snap.State)
	return snap, ok, nil
}
