package enginetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
)

// RunSnapshotStore checks the engine.SnapshotStore contract.
func RunSnapshotStore(t *testing.T, newStore func(t *testing.T) engine.SnapshotStore) {
	ctx := context.Background()
	t.Run("load of a stream without snapshot is ok=false without error", func(t *testing.T) {
		st := newStore(t)
		_, ok, err := st.Load(ctx, NewStream())
		if err != nil || ok {
			t.Fatalf("Load = ok %v, err %v; want false, nil", ok, err)
		}
	})
	t.Run("save then load returns every field", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		in := engine.Snapshot{Stream: s, Sequence: 42, SchemaVersion: 3, State: []byte{0x81, 0xa1, 'x', 0x2a, 0}}
		if err := st.Save(ctx, in); err != nil {
			t.Fatal(err)
		}
		got, ok, err := st.Load(ctx, s)
		if err != nil || !ok {
			t.Fatalf("Load = ok %v, err %v", ok, err)
		}
		if got.Stream != s || got.Sequence != 42 || got.SchemaVersion != 3 || !bytes.Equal(got.State, in.State) {
			t.Fatalf("loaded %+v, want %+v", got, in)
		}
	})
	t.Run("the last save wins", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		for _, seq := range []uint64{5, 100, 7} {
			if err := st.Save(ctx, engine.Snapshot{Stream: s, Sequence: seq, SchemaVersion: 1, State: []byte{byte(seq)}}); err != nil {
				t.Fatal(err)
			}
		}
		got, ok, err := st.Load(ctx, s)
		if err != nil || !ok || got.Sequence != 7 || !bytes.Equal(got.State, []byte{7}) {
			t.Fatalf("Load = %+v ok %v err %v; want sequence 7", got, ok, err)
		}
	})
	t.Run("snapshots are isolated by tenant and process", func(t *testing.T) {
		st := newStore(t)
		a := NewStream()
		b := engine.StreamOf(OtherTenant, a.Process)
		if err := st.Save(ctx, engine.Snapshot{Stream: a, Sequence: 1, SchemaVersion: 1, State: []byte("a")}); err != nil {
			t.Fatal(err)
		}
		if _, ok, err := st.Load(ctx, b); ok || err != nil {
			t.Fatalf("other tenant sees the snapshot: ok %v err %v", ok, err)
		}
		if _, ok, err := st.Load(ctx, NewStream()); ok || err != nil {
			t.Fatalf("other process sees the snapshot: ok %v err %v", ok, err)
		}
	})
	t.Run("a large state round-trips", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		state := bytes.Repeat([]byte("0123456789abcdef"), 16<<10) // 256 KiB
		if err := st.Save(ctx, engine.Snapshot{Stream: s, Sequence: 9, SchemaVersion: 1, State: state}); err != nil {
			t.Fatal(err)
		}
		got, ok, err := st.Load(ctx, s)
		if err != nil || !ok || !bytes.Equal(got.State, state) {
			t.Fatalf("Load: ok %v err %v, %d bytes", ok, err, len(got.State))
		}
	})
	t.Run("invalid stream ids are ErrInvalidID", func(t *testing.T) {
		st := newStore(t)
		bad := engine.StreamOf("t", "a.b")
		if err := st.Save(ctx, engine.Snapshot{Stream: bad, Sequence: 1}); !errors.Is(err, engine.ErrInvalidID) {
			t.Errorf("Save: err = %v", err)
		}
		if _, _, err := st.Load(ctx, bad); !errors.Is(err, engine.ErrInvalidID) {
			t.Errorf("Load: err = %v", err)
		}
	})
}
