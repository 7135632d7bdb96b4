// Package engine is the event-sourced process runtime of mako-engine.
//
// A MaKo process (a supplier change, a device change, …) is one event stream.
// A Workflow folds the stream's events into a state with a pure Apply and
// decides on a command with a pure Handle; the Decision (workflow events,
// outbound messages, deadlines, business keys) is committed as ONE append to
// the EventStore, guarded by optimistic concurrency on the stream version.
// Effects that live outside the stream (sending, timers, the business-key
// index) are recorded as engine events (type prefix "mako.") in that same
// append and derived later by idempotent workers from the committed log:
// JetStream has no transaction across streams and KV buckets.
//
// The package holds the contracts (EventStore, SnapshotStore, Registry,
// Inbox), the core types (ids, versions, envelopes, commands, decisions) and
// the runtime (Engine, Process). In-memory backends live in
// engine/memstore, JetStream backends in engine/natsstore, and the exported
// conformance suites every backend must pass in engine/enginetest.
// docs/engine.md describes the model.
package engine
