package natsstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/mako-engine/mako/pkg/engine"
)

// SnapshotStore is the engine.SnapshotStore on the KV bucket mako_snapshots
// (history 1). The key is "<tenant>.<process>"; the value is the msgpack of
// snapshotRecord. Load uses KV Get (Direct Get): on R>1 it may return an
// older snapshot, which is harmless because the engine replays the tail
// after the snapshot's sequence.
type SnapshotStore struct {
	kv     jetstream.KeyValue
	bucket string
}

var _ engine.SnapshotStore = (*SnapshotStore)(nil)

// snapshotRecord is the stored value of a snapshot.
type snapshotRecord struct {
	Tenant   string `msgpack:"t"`
	Process  string `msgpack:"p"`
	Sequence uint64 `msgpack:"s"`
	Schema   int    `msgpack:"v"`
	State    []byte `msgpack:"d"`
}

// NewSnapshotStore binds to the snapshot bucket (default mako_snapshots),
// which must exist.
func NewSnapshotStore(ctx context.Context, js jetstream.JetStream, opts ...Option) (*SnapshotStore, error) {
	cfg := newConfig(opts)
	kv, err := js.KeyValue(ctx, cfg.snapshotBucket)
	if err != nil {
		return nil, &StoreError{Op: "bind", Stream: "KV_" + cfg.snapshotBucket, Err: err}
	}
	return &SnapshotStore{kv: kv, bucket: cfg.snapshotBucket}, nil
}

func (s *SnapshotStore) errorf(key string, rev uint64, err error) error {
	return &StoreError{Op: "snapshot", Stream: "KV_" + s.bucket, Subject: "$KV." + s.bucket + "." + key, Sequence: rev, Err: err}
}

// Save replaces the process's snapshot (last Save wins).
func (s *SnapshotStore) Save(ctx context.Context, snap engine.Snapshot) error {
	if err := snap.Stream.Validate(); err != nil {
		return err
	}
	key := snapshotKey(string(snap.Stream.Tenant), string(snap.Stream.Process))
	val, err := msgpack.Marshal(&snapshotRecord{
		Tenant: string(snap.Stream.Tenant), Process: string(snap.Stream.Process),
		Sequence: snap.Sequence, Schema: snap.SchemaVersion, State: snap.State,
	})
	if err != nil {
		return s.errorf(key, 0, err)
	}
	if _, err := s.kv.Put(ctx, key, val); err != nil {
		return s.errorf(key, 0, err)
	}
	return nil
}

// Load returns the process's snapshot, or ok=false if there is none. A
// value that does not decode is an error wrapping *engine.DecodeError; the
// engine may then replay in full.
func (s *SnapshotStore) Load(ctx context.Context, stream engine.StreamID) (engine.Snapshot, bool, error) {
	if err := stream.Validate(); err != nil {
		return engine.Snapshot{}, false, err
	}
	key := snapshotKey(string(stream.Tenant), string(stream.Process))
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return engine.Snapshot{}, false, nil
	}
	if err != nil {
		return engine.Snapshot{}, false, s.errorf(key, 0, err)
	}
	var rec snapshotRecord
	dec := msgpack.NewDecoder(bytes.NewReader(e.Value()))
	dec.DisallowUnknownFields(true)
	if err := safeDecode(dec, &rec); err != nil {
		return engine.Snapshot{}, false, s.errorf(key, e.Revision(), &engine.DecodeError{Stream: stream, Type: "snapshot", Err: err})
	}
	if rec.Tenant != string(stream.Tenant) || rec.Process != string(stream.Process) {
		return engine.Snapshot{}, false, s.errorf(key, e.Revision(), &engine.DecodeError{Stream: stream, Sequence: rec.Sequence, Type: "snapshot",
			Err: fmt.Errorf("snapshot belongs to %s/%s", rec.Tenant, rec.Process)})
	}
	return engine.Snapshot{Stream: stream, Sequence: rec.Sequence, SchemaVersion: rec.Schema, State: rec.State}, true, nil
}
