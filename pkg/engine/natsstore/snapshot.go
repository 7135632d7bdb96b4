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
// snapshotRecord. On R1 Load uses KV Get (Direct Get); on R>1 (decided at
// bind time) it reads through the stream leader, because Direct Get may be
// answered by a lagging replica and Load must return the last Save.
//
// A SnapshotStore opened together with an EventStore (Open) also records
// the stream sequence of the commit the snapshot ends at, and hands it to
// the event store on Load, so that the tail read after the snapshot starts
// at that commit instead of bisecting the subject (BenchmarkReplay).
type SnapshotStore struct {
	kv         jetstream.KeyValue
	bucket     string
	rd         *reader
	replicated bool
	events     *EventStore // optional: anchor hints, see above
}

var _ engine.SnapshotStore = (*SnapshotStore)(nil)

// snapshotRecord is the stored value of a snapshot.
type snapshotRecord struct {
	Tenant   string `msgpack:"t"`
	Process  string `msgpack:"p"`
	Sequence uint64 `msgpack:"s"`
	Schema   int    `msgpack:"v"`
	State    []byte `msgpack:"d"`
	// CommitSeq is the stream sequence of the commit ending at Sequence in
	// the event stream, 0 if unknown (a hint; verified when used).
	CommitSeq uint64 `msgpack:"q,omitempty"`
}

// NewSnapshotStore binds to the snapshot bucket (default mako_snapshots),
// which must exist.
func NewSnapshotStore(ctx context.Context, js jetstream.JetStream, opts ...Option) (*SnapshotStore, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	kv, err := js.KeyValue(ctx, cfg.snapshotBucket)
	if err != nil {
		return nil, &StoreError{Op: "bind", Stream: "KV_" + cfg.snapshotBucket, Err: err}
	}
	st, err := js.Stream(ctx, "KV_"+cfg.snapshotBucket)
	if err != nil {
		return nil, &StoreError{Op: "bind", Stream: "KV_" + cfg.snapshotBucket, Err: err}
	}
	return &SnapshotStore{
		kv: kv, bucket: cfg.snapshotBucket,
		rd:         newReader(js.Conn(), apiPrefix(js), "KV_"+cfg.snapshotBucket, cfg.timeout, 1),
		replicated: st.CachedInfo().Config.Replicas > 1,
	}, nil
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
	rec := snapshotRecord{
		Tenant: string(snap.Stream.Tenant), Process: string(snap.Stream.Process),
		Sequence: snap.Sequence, Schema: snap.SchemaVersion, State: snap.State,
	}
	if s.events != nil {
		rec.CommitSeq, _ = s.events.anchorAt(snap.Stream, snap.Sequence)
	}
	val, err := msgpack.Marshal(&rec)
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
	value, rev, found, err := s.get(ctx, key)
	if err != nil {
		return engine.Snapshot{}, false, s.errorf(key, 0, err)
	}
	if !found {
		return engine.Snapshot{}, false, nil
	}
	var rec snapshotRecord
	dec := msgpack.NewDecoder(bytes.NewReader(value))
	dec.DisallowUnknownFields(true)
	if err := safeDecode(dec, &rec); err != nil {
		return engine.Snapshot{}, false, s.errorf(key, rev, &engine.DecodeError{Stream: stream, Type: "snapshot", Err: err})
	}
	if rec.Tenant != string(stream.Tenant) || rec.Process != string(stream.Process) {
		return engine.Snapshot{}, false, s.errorf(key, rev, &engine.DecodeError{Stream: stream, Sequence: rec.Sequence, Type: "snapshot",
			Err: fmt.Errorf("snapshot belongs to %s/%s", rec.Tenant, rec.Process)})
	}
	if s.events != nil && rec.CommitSeq != 0 {
		s.events.hint(stream, anchor{version: rec.Sequence, seq: rec.CommitSeq})
	}
	return engine.Snapshot{Stream: stream, Sequence: rec.Sequence, SchemaVersion: rec.Schema, State: rec.State}, true, nil
}

// get returns the key's current value and revision; found is false for a
// missing or deleted key.
func (s *SnapshotStore) get(ctx context.Context, key string) (value []byte, rev uint64, found bool, err error) {
	if s.replicated {
		m, err := s.rd.leaderGet(ctx, msgGetRequest{LastFor: "$KV." + s.bucket + "." + key})
		if errors.Is(err, errNoMsg) {
			return nil, 0, false, nil
		}
		if err != nil {
			return nil, 0, false, err
		}
		if op := m.Header.Get("KV-Operation"); op == "DEL" || op == "PURGE" {
			return nil, 0, false, nil
		}
		return m.Data, m.Sequence, true, nil
	}
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	return e.Value(), e.Revision(), true, nil
}
