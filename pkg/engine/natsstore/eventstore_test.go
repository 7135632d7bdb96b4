package natsstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
)

// streamMsgs returns the number of messages stored on the process subject.
func streamMsgs(t *testing.T, e *env, s engine.StreamID) uint64 {
	t.Helper()
	_, js := e.srv.JetStream()
	st, err := js.Stream(context.Background(), DefaultEventStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(context.Background(), jetstream.WithSubjectFilter(e.stores.Events.Subject(s)))
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Subjects[e.stores.Events.Subject(s)]
}

func TestAppendLostAckIsWrittenOnce(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		prepare func(*EventStore) (engine.ExpectedVersion, uint64)
	}{
		{"no-stream", func(*EventStore) (engine.ExpectedVersion, uint64) { return engine.NoStream(), 0 }},
		{"exact", func(st *EventStore) (engine.ExpectedVersion, uint64) { return engine.Exact(2), 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			st := e.stores.Events
			s := enginetest.NewStream()
			exp, base := tc.prepare(st)
			if base > 0 {
				if _, err := st.Append(ctx, s, engine.NoStream(), enginetest.NewEvents(s, "c0", int(base))); err != nil {
					t.Fatal(err)
				}
			}
			var attempts []int
			st.loseAck = func(attempt int) bool {
				attempts = append(attempts, attempt)
				return attempt == 0 // the first ack is lost, the server stored the commit
			}
			in := enginetest.NewEvents(s, "c1", 2)
			out, err := st.Append(ctx, s, exp, in)
			st.loseAck = nil
			if err != nil {
				t.Fatalf("append after lost ack: %v", err)
			}
			if fmt.Sprint(attempts) != "[0 1]" {
				t.Fatalf("publish attempts %v, want [0 1]", attempts)
			}
			if len(out) != 2 || out[0].Sequence != base+1 || out[1].Sequence != base+2 || out[0].EventID != in[0].EventID {
				t.Fatalf("result %+v", out)
			}
			if n := streamMsgs(t, e, s); n != uint64(min(base, 1))+1 {
				t.Fatalf("%d messages on the subject, want %d", n, min(base, 1)+1)
			}
			loaded, err := st.Load(ctx, s)
			if err != nil || uint64(len(loaded)) != base+2 {
				t.Fatalf("load: %d events, %v", len(loaded), err)
			}
			// A later Append of the same commit with the same expected
			// version (the caller never saw the ack) also returns it.
			again, err := st.Append(ctx, s, exp, in)
			if err != nil || len(again) != 2 || again[0].Sequence != base+1 || !again[0].Timestamp.Equal(out[0].Timestamp) {
				t.Fatalf("repeated append = %+v, %v", again, err)
			}
			if n := streamMsgs(t, e, s); n != uint64(min(base, 1))+1 {
				t.Fatalf("repeated append wrote again: %d messages", n)
			}
			// Another command with the stale expected version conflicts.
			_, err = st.Append(ctx, s, exp, enginetest.NewEvents(s, "c2", 1))
			var ce *engine.ConflictError
			if !errors.As(err, &ce) || ce.Actual != base+2 {
				t.Fatalf("stale append of another command: %v, want conflict with actual %d", err, base+2)
			}
		})
	}
}

func TestAppendLostAckEveryTimeFails(t *testing.T) {
	e := newEnv(t, WithPublishAttempts(2))
	st := e.stores.Events
	s := enginetest.NewStream()
	st.loseAck = func(int) bool { return true }
	_, err := st.Append(context.Background(), s, engine.NoStream(), enginetest.NewEvents(s, "c1", 1))
	st.loseAck = nil
	var se *StoreError
	if !errors.As(err, &se) || se.Subject != st.Subject(s) {
		t.Fatalf("err = %v, want a StoreError naming the subject", err)
	}
	// The first attempt was stored; the store reports failure, but the
	// retry of the caller finds its own commit and succeeds without a write.
	out, err := st.Append(context.Background(), s, engine.NoStream(), enginetest.NewEvents(s, "c1", 1))
	if err != nil || len(out) != 1 || out[0].Sequence != 1 {
		t.Fatalf("caller retry = %+v, %v", out, err)
	}
	if n := streamMsgs(t, e, s); n != 1 {
		t.Fatalf("%d messages, want 1", n)
	}
}

func TestCorruptCommitNamesStreamAndSequence(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	st := e.stores.Events
	_, js := e.srv.JetStream()
	for _, tc := range []struct {
		name    string
		payload []byte
		header  bool
	}{
		{"garbage", []byte("\xc1\xff not msgpack"), false},
		{"empty", nil, false},
		{"truncated", nil, true},
		{"wrong format", mustMsgpack(t, map[string]any{"f": 99, "t": string(enginetest.Tenant), "p": "x", "s": 1, "ts": 0, "e": []any{}}), false},
		{"unknown field", mustMsgpack(t, map[string]any{"zz": 1}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := enginetest.NewStream()
			good, err := st.Append(ctx, s, engine.NoStream(), enginetest.NewEvents(s, "c1", 1))
			if err != nil {
				t.Fatal(err)
			}
			payload := tc.payload
			if tc.header {
				rec := newCommitRecord(s, 2, good[0].Timestamp, enginetest.NewEvents(s, "c2", 1))
				m, err := rec.message(st.Subject(s), "x")
				if err != nil {
					t.Fatal(err)
				}
				payload = m.Data[:len(m.Data)/2]
			}
			ack, err := js.Publish(ctx, st.Subject(s), payload)
			if err != nil {
				t.Fatal(err)
			}
			check := func(op string, err error) {
				t.Helper()
				var se *StoreError
				if !errors.As(err, &se) || se.Sequence != ack.Sequence || se.Stream != DefaultEventStream || se.Subject != st.Subject(s) {
					t.Fatalf("%s: err = %v, want StoreError naming %s seq %d", op, err, DefaultEventStream, ack.Sequence)
				}
				if !errors.Is(err, engine.ErrDecode) {
					t.Fatalf("%s: err = %v, want ErrDecode", op, err)
				}
				var de *engine.DecodeError
				if !errors.As(err, &de) || de.Stream != s {
					t.Fatalf("%s: err = %v, want a DecodeError naming %s", op, err, s)
				}
			}
			_, err = st.Load(ctx, s)
			check("Load", err)
			_, err = st.Version(ctx, s)
			check("Version", err)
			err = st.Fold(ctx, s, 1, func(engine.EventEnvelope) error { return nil })
			check("Fold", err)
		})
	}
}

func TestForeignAndGapCommitsAreErrors(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	st := e.stores.Events
	_, js := e.srv.JetStream()
	s := enginetest.NewStream()
	other := enginetest.NewStream()
	if _, err := st.Append(ctx, s, engine.NoStream(), enginetest.NewEvents(s, "c1", 1)); err != nil {
		t.Fatal(err)
	}
	// A well-formed commit of another process, published raw on s's subject.
	rec := newCommitRecord(other, 2, enginetest.NewEvents(other, "x", 1)[0].Envelope(other, 1, ts0).Timestamp, enginetest.NewEvents(other, "x", 1))
	m, _ := rec.message(st.Subject(s), "foreign")
	if _, err := js.PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load(ctx, s); !errors.Is(err, engine.ErrDecode) {
		t.Fatalf("foreign commit: err = %v, want ErrDecode", err)
	}
	// A commit of s that skips sequence 2.
	s2 := enginetest.NewStream()
	if _, err := st.Append(ctx, s2, engine.NoStream(), enginetest.NewEvents(s2, "c1", 1)); err != nil {
		t.Fatal(err)
	}
	rec = newCommitRecord(s2, 3, ts0, enginetest.NewEvents(s2, "c3", 1))
	m, _ = rec.message(st.Subject(s2), "gap")
	if _, err := js.PublishMsg(ctx, m); err != nil {
		t.Fatal(err)
	}
	_, err := st.Load(ctx, s2)
	var se *StoreError
	if !errors.Is(err, engine.ErrDecode) || !errors.As(err, &se) || se.Sequence == 0 {
		t.Fatalf("gap: err = %v, want ErrDecode naming the sequence", err)
	}
}

func TestLoadFromLongHistoryBisects(t *testing.T) {
	ctx := context.Background()
	// Without the cache, LoadFrom must locate the start by bisection.
	e := newEnv(t, WithCacheSize(0), WithReadBatch(16), WithConsumerThreshold(40))
	st := e.stores.Events
	s, noise := enginetest.NewStream(), enginetest.NewStream()
	var v, nv uint64
	for i := range 150 {
		n := 1 + i%3
		if _, err := st.Append(ctx, s, engine.Exact(v), enginetest.NewEvents(s, engine.CommandID(fmt.Sprint("c", i)), n)); err != nil {
			t.Fatal(err)
		}
		v += uint64(n)
		if _, err := st.Append(ctx, noise, engine.Exact(nv), enginetest.NewEvents(noise, engine.CommandID(fmt.Sprint("n", i)), 1)); err != nil {
			t.Fatal(err)
		}
		nv++
	}
	for _, after := range []uint64{0, 1, 63, 64, 65, 100, 150, 200, v - 1, v, v + 5} {
		evs, err := st.LoadFrom(ctx, s, after)
		if err != nil {
			t.Fatalf("LoadFrom(%d): %v", after, err)
		}
		want := int(max(int64(v)-int64(after), 0))
		if len(evs) != want {
			t.Fatalf("LoadFrom(%d): %d events, want %d", after, len(evs), want)
		}
		for i, ev := range evs {
			if ev.Sequence != after+uint64(i)+1 {
				t.Fatalf("LoadFrom(%d): event %d has sequence %d", after, i, ev.Sequence)
			}
		}
	}
}

func mustMsgpack(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := newMsgpackEncoder(&buf)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var ts0 = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)

func newMsgpackEncoder(w *bytes.Buffer) *msgpack.Encoder { return msgpack.NewEncoder(w) }

// TestLeaderReadPaths runs the conformance suite with the R>1 read paths
// (Version through the leader, leader tail check after every history read)
// on R1, and checks that the leader tail alone delivers a whole history,
// as it must when a lagging replica answered the Direct Get with nothing.
func TestLeaderReadPaths(t *testing.T) {
	e := newEnv(t)
	e.stores.Events.replicated = true
	e.stores.Registry.replicated = true
	e.stores.Snapshots.replicated = true
	enginetest.RunEventStore(t, func(*testing.T) engine.EventStore { return e.stores.Events })
	enginetest.RunSnapshotStore(t, func(*testing.T) engine.SnapshotStore { return e.stores.Snapshots })
	enginetest.RunRegistry(t, func(*testing.T) engine.Registry { return e.stores.Registry })

	ctx := context.Background()
	st := e.stores.Events
	s := enginetest.NewStream()
	for i, n := range []int{2, 1, 3} {
		v, _ := st.Version(ctx, s)
		if _, err := st.Append(ctx, s, engine.Exact(v), enginetest.NewEvents(s, engine.CommandID(fmt.Sprint("c", i)), n)); err != nil {
			t.Fatal(err)
		}
	}
	var firsts []uint64
	err := st.leaderTail(ctx, st.Subject(s), 1, func(m storedMsg) (bool, error) {
		rec, err := decodeCommit(s, DefaultEventStream, m.Subject, m.Sequence, m.Data)
		if err != nil {
			return false, err
		}
		firsts = append(firsts, rec.First)
		return true, nil
	})
	if err != nil || fmt.Sprint(firsts) != "[1 3 4]" {
		t.Fatalf("leader tail visited commits starting at %v, %v; want [1 3 4]", firsts, err)
	}
}

// TestSnapshotAnchorHint: a snapshot saved through Open's stores records
// the commit's stream sequence; a cold store that loads it reads the tail
// from that commit, and a wrong hint is detected and falls back to
// bisection instead of returning a wrong history.
func TestSnapshotAnchorHint(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	st := e.stores
	s, noise := enginetest.NewStream(), enginetest.NewStream()
	var v uint64
	for i := range 100 {
		out, err := st.Events.Append(ctx, s, engine.Exact(v), enginetest.NewEvents(s, engine.CommandID(fmt.Sprint("c", i)), 1))
		if err != nil {
			t.Fatal(err)
		}
		v = out[0].Sequence
		if _, err := st.Events.Append(ctx, noise, engine.Exact(uint64(i)), enginetest.NewEvents(noise, engine.CommandID(fmt.Sprint("n", i)), 1)); err != nil {
			t.Fatal(err)
		}
		if v == 90 {
			if err := st.Snapshots.Save(ctx, engine.Snapshot{Stream: s, Sequence: 90, SchemaVersion: 1, State: []byte("s")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, js := e.srv.JetStream()
	cold, err := Open(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	defer cold.Close()
	snap, ok, err := cold.Snapshots.Load(ctx, s)
	if err != nil || !ok || snap.Sequence != 90 {
		t.Fatalf("snapshot %+v %v %v", snap, ok, err)
	}
	a, ok := cold.Events.startAnchor(s, 90)
	if !ok || a.version != 90 || a.seq != 179 {
		t.Fatalf("hint anchor %+v %v, want version 90 at stream seq 179", a, ok)
	}
	evs, err := cold.Events.LoadFrom(ctx, s, 90)
	if err != nil || len(evs) != 10 || evs[0].Sequence != 91 {
		t.Fatalf("tail after snapshot: %d events, %v", len(evs), err)
	}
	// A wrong hint (pointing at another commit) is detected.
	cold.Events.forget(s)
	cold.Events.hint(s, anchor{version: 90, seq: 101})
	evs, err = cold.Events.LoadFrom(ctx, s, 90)
	if err != nil || len(evs) != 10 || evs[0].Sequence != 91 {
		t.Fatalf("tail after a wrong hint: %d events, %v", len(evs), err)
	}
}
