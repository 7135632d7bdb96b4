// Package natsstore implements the engine's stores on NATS JetStream:
// EventStore on the stream MAKO_EVENTS, SnapshotStore, Registry and Inbox on
// the KV buckets mako_snapshots, mako_registry and mako_inbox.
//
// The streams and buckets are defined (and created) by the top-level
// package streams; the constructors here bind to them and fail if they are
// missing, unless the caller lets Open create them (WithEnsure).
//
// Event store layout (docs/event-store.md has the measurements behind it):
//
//   - one subject per process, mako.evt.<tenant>.<process>;
//   - ONE JetStream message per commit (one EventStore.Append), carrying all
//     events of the command as msgpack (commitRecord), so a commit is atomic
//     without the atomic-batch API (measured ≈ 100× slower per commit on R1
//     file storage);
//   - optimistic concurrency with Nats-Expected-Last-Subject-Sequence: the
//     store maps the engine's expected version (event count) to the stream
//     sequence of the subject's last message through a bounded cache, filled
//     on a miss by a read through the stream leader;
//   - a deterministic Nats-Msg-Id per commit so that a retry after a lost ack
//     never writes twice (on R1 the OCC check runs before dedup, so a retry
//     sees 10071 and the store looks for its own id after the expected
//     sequence; on R>1 the server answers with a duplicate ack);
//   - human-readable Mako-* headers for `nats stream view`.
//
// Reads of a process history use batched Direct Get with next_by_subj on a
// long-lived reply subscription; long tails switch to an ordered consumer.
// Direct Get may be served by a lagging replica on R>1, so every read that
// decides correctness (the OCC anchor on a cache miss, the lost-ack check,
// the registry winner after a lost create race) goes through the leader
// with the non-direct $JS.API.STREAM.MSG.GET API instead.
package natsstore
