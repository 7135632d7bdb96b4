package engine

import (
	"context"
	"strconv"
)

type expectKind uint8

const (
	expectAny expectKind = iota
	expectNoStream
	expectExact
)

// ExpectedVersion is the optimistic concurrency condition of an append. A
// stream's version is the sequence of its last event (= its event count);
// 0 for a stream without events.
type ExpectedVersion struct {
	kind expectKind
	n    uint64
}

// NoStream expects the stream to have no events (version 0).
func NoStream() ExpectedVersion { return ExpectedVersion{kind: expectNoStream} }

// Exact expects the stream's version to be n; Exact(0) equals NoStream.
func Exact(n uint64) ExpectedVersion {
	if n == 0 {
		return NoStream()
	}
	return ExpectedVersion{kind: expectExact, n: n}
}

// Any disables the check. Only for migration, administration and tests.
func Any() ExpectedVersion { return ExpectedVersion{kind: expectAny} }

// IsAny reports whether e disables the check.
func (e ExpectedVersion) IsAny() bool { return e.kind == expectAny }

// Version returns the expected version (0 for NoStream and Any).
func (e ExpectedVersion) Version() uint64 { return e.n }

// Matches reports whether a stream at version actual satisfies e.
func (e ExpectedVersion) Matches(actual uint64) bool {
	return e.kind == expectAny || e.n == actual
}

// String returns "any", "no-stream" or the number.
func (e ExpectedVersion) String() string {
	switch e.kind {
	case expectAny:
		return "any"
	case expectNoStream:
		return "no-stream"
	}
	return strconv.FormatUint(e.n, 10)
}

// EventStore is the append-only, per-process event log.
//
// Contract (checked by enginetest.RunEventStore):
//   - Append is atomic per call: all events are stored, contiguous and in
//     order, or none is. The store assigns Sequence (version+1, version+2, …)
//     and one Timestamp for the batch, keeps the given EventIDs (assigning a
//     random UUID to an empty one) and returns the committed envelopes.
//     Appending no events is ErrInvalidArgument.
//   - If the stream's version does not satisfy expected, Append stores
//     nothing and returns a *ConflictError carrying expected and actual.
//   - Load returns every event in order, an empty slice (no error) for a
//     stream that does not exist. LoadFrom returns the events with Sequence >
//     after. Fold calls fn for each event with Sequence > after in order in
//     constant memory and stops at the first error fn returns, returning it.
//   - Version returns the stream's version in O(1), 0 if it does not exist.
//   - All methods are safe for concurrent use; a stream is identified by
//     StreamID alone, and invalid StreamIDs are ErrInvalidID.
//
// A backend may store all events of one Append as one record (the NATS store
// writes one JetStream message per commit).
type EventStore interface {
	Append(ctx context.Context, stream StreamID, expected ExpectedVersion, events []NewEvent) ([]EventEnvelope, error)
	Load(ctx context.Context, stream StreamID) ([]EventEnvelope, error)
	LoadFrom(ctx context.Context, stream StreamID, after uint64) ([]EventEnvelope, error)
	Fold(ctx context.Context, stream StreamID, after uint64, fn func(EventEnvelope) error) error
	Version(ctx context.Context, stream StreamID) (uint64, error)
}

// Snapshot is a cached fold of a stream up to Sequence. It is never the
// source of truth and may be discarded at any time.
type Snapshot struct {
	Stream        StreamID
	Sequence      uint64 // the last event folded into State
	SchemaVersion int    // the workflow's state schema version
	State         []byte // engine-encoded state (workflow state + seen command ids + open deadlines)
}

// SnapshotStore keeps the latest snapshot per stream.
//
// Contract (checked by enginetest.RunSnapshotStore): Save replaces the
// stream's snapshot (the last Save wins); Load returns it with ok=true, or
// ok=false and no error when there is none. Safe for concurrent use.
type SnapshotStore interface {
	Save(ctx context.Context, s Snapshot) error
	Load(ctx context.Context, stream StreamID) (s Snapshot, ok bool, err error)
}
