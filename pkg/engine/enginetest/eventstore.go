// Package enginetest holds the exported conformance suites that every
// backend of the engine's store contracts must pass (in the manner of
// eventhorizon's acceptance tests), and benchmark workloads shared by all
// backends. Backends call them from their own tests:
//
//	func TestConformance(t *testing.T) {
//		enginetest.RunEventStore(t, func(t *testing.T) engine.EventStore { return newStore(t) })
//	}
//
// Every subtest states one clause of the contract in its name.
package enginetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
)

// Tenant is the tenant the suites use; OtherTenant checks tenant isolation.
const (
	Tenant      engine.TenantID = "conformance"
	OtherTenant engine.TenantID = "conformance-other"
)

// Workflow is the workflow id stamped on the suites' events.
var Workflow = engine.WorkflowID{Name: "enginetest", FormatVersion: fv.MustParse("FV2604")}

// NewStream returns a fresh stream in Tenant.
func NewStream() engine.StreamID { return engine.StreamOf(Tenant, engine.NewProcessID()) }

// NewEvents returns n well-formed events for stream s caused by command
// cmd, with payloads "<cmd>/<i>" (msgpack is not required by stores).
func NewEvents(s engine.StreamID, cmd engine.CommandID, n int) []engine.NewEvent {
	evs := make([]engine.NewEvent, n)
	for i := range evs {
		evs[i] = engine.NewEvent{
			EventID: engine.EventIDFor(s.Process, cmd, i), Tenant: s.Tenant, Process: s.Process, Workflow: Workflow,
			Type: "Tested", SchemaVersion: 1, Correlation: "corr-" + engine.CorrelationID(cmd),
			Causation: "cause", Conversation: "conv", CommandID: cmd, TraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
			Payload: fmt.Appendf(nil, "%s/%d", cmd, i),
		}
	}
	return evs
}

// RunEventStore checks the engine.EventStore contract. newStore is called
// once per subtest; stores may be shared, as every subtest uses fresh
// streams.
func RunEventStore(t *testing.T, newStore func(t *testing.T) engine.EventStore) {
	ctx := context.Background()
	t.Run("append NoStream on a new stream assigns sequence 1 and keeps every field", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		in := NewEvents(s, "c1", 1)
		out, err := st.Append(ctx, s, engine.NoStream(), in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 1 || out[0].Sequence != 1 || out[0].Stream != s || out[0].Timestamp.IsZero() {
			t.Fatalf("append result %+v", out)
		}
		loaded, err := st.Load(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if len(loaded) != 1 {
			t.Fatalf("loaded %d events, want 1", len(loaded))
		}
		want := in[0].Envelope(s, 1, loaded[0].Timestamp)
		assertEnvelope(t, loaded[0], want)
		assertEnvelope(t, out[0], want)
		if !loaded[0].Timestamp.Equal(out[0].Timestamp) {
			t.Errorf("timestamp: append %v, load %v", out[0].Timestamp, loaded[0].Timestamp)
		}
		assertVersion(t, st, s, 1)
	})
	t.Run("append NoStream on an existing stream conflicts and stores nothing", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		mustAppend(t, st, s, engine.NoStream(), NewEvents(s, "c1", 2))
		_, err := st.Append(ctx, s, engine.NoStream(), NewEvents(s, "c2", 1))
		assertConflict(t, err, s, engine.NoStream(), 2)
		assertVersion(t, st, s, 2)
	})
	t.Run("append Exact(version) succeeds and continues the sequence", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		mustAppend(t, st, s, engine.NoStream(), NewEvents(s, "c1", 2))
		out := mustAppend(t, st, s, engine.Exact(2), NewEvents(s, "c2", 1))
		if out[0].Sequence != 3 {
			t.Fatalf("sequence %d, want 3", out[0].Sequence)
		}
		assertVersion(t, st, s, 3)
	})
	t.Run("append Exact(stale) conflicts with expected and actual and stores nothing", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		mustAppend(t, st, s, engine.NoStream(), NewEvents(s, "c1", 3))
		_, err := st.Append(ctx, s, engine.Exact(1), NewEvents(s, "c2", 1))
		assertConflict(t, err, s, engine.Exact(1), 3)
		_, err = st.Append(ctx, s, engine.Exact(7), NewEvents(s, "c3", 1))
		assertConflict(t, err, s, engine.Exact(7), 3)
		assertVersion(t, st, s, 3)
	})
	t.Run("append Exact(n>0) on a missing stream conflicts with actual 0", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		_, err := st.Append(ctx, s, engine.Exact(2), NewEvents(s, "c1", 1))
		assertConflict(t, err, s, engine.Exact(2), 0)
		assertVersion(t, st, s, 0)
	})
	t.Run("append Any never conflicts", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		mustAppend(t, st, s, engine.Any(), NewEvents(s, "c1", 1))
		out := mustAppend(t, st, s, engine.Any(), NewEvents(s, "c2", 2))
		if out[0].Sequence != 2 || out[1].Sequence != 3 {
			t.Fatalf("sequences %d,%d want 2,3", out[0].Sequence, out[1].Sequence)
		}
	})
	t.Run("multi-event append is contiguous, ordered, one timestamp, and atomic on conflict", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		mustAppend(t, st, s, engine.NoStream(), NewEvents(s, "c0", 1))
		in := NewEvents(s, "c1", 5)
		out := mustAppend(t, st, s, engine.Exact(1), in)
		for i, e := range out {
			if e.Sequence != uint64(i+2) || e.EventID != in[i].EventID || !e.Timestamp.Equal(out[0].Timestamp) {
				t.Fatalf("event %d: seq %d id %s ts %v", i, e.Sequence, e.EventID, e.Timestamp)
			}
		}
		_, err := st.Append(ctx, s, engine.Exact(1), NewEvents(s, "c2", 4))
		assertConflict(t, err, s, engine.Exact(1), 6)
		loaded, err := st.Load(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		assertSequences(t, loaded, 1, 6)
		for _, e := range loaded {
			if e.CommandID == "c2" {
				t.Fatalf("event of the conflicting batch stored: %+v", e)
			}
		}
	})
	t.Run("append without events is ErrInvalidArgument", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		if _, err := st.Append(ctx, s, engine.Any(), nil); !errors.Is(err, engine.ErrInvalidArgument) {
			t.Fatalf("err = %v, want ErrInvalidArgument", err)
		}
		assertVersion(t, st, s, 0)
	})
	t.Run("invalid stream ids are ErrInvalidID", func(t *testing.T) {
		st := newStore(t)
		for _, s := range []engine.StreamID{
			{Tenant: "", Process: "p"}, {Tenant: "Upper", Process: "p"}, {Tenant: "t", Process: "a.b"},
			{Tenant: "t", Process: "*"}, {Tenant: "t", Process: ""}, {Tenant: "t.x", Process: "p"},
		} {
			if _, err := st.Append(ctx, s, engine.Any(), NewEvents(engine.StreamOf("t", "p"), "c", 1)); !errors.Is(err, engine.ErrInvalidID) {
				t.Errorf("Append(%q): err = %v, want ErrInvalidID", s, err)
			}
			if _, err := st.Version(ctx, s); !errors.Is(err, engine.ErrInvalidID) {
				t.Errorf("Version(%q): err = %v, want ErrInvalidID", s, err)
			}
		}
	})
	t.Run("an empty event id is assigned by the store", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		in := NewEvents(s, "c1", 2)
		in[0].EventID, in[1].EventID = "", ""
		out := mustAppend(t, st, s, engine.NoStream(), in)
		loaded, _ := st.Load(ctx, s)
		if out[0].EventID == "" || out[0].EventID == out[1].EventID || loaded[0].EventID != out[0].EventID {
			t.Fatalf("ids %q %q loaded %q", out[0].EventID, out[1].EventID, loaded[0].EventID)
		}
	})
	t.Run("binary payloads round-trip byte for byte", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		in := NewEvents(s, "c1", 3)
		in[0].Payload = []byte{0, 1, 2, 0xff, 0xc1, '\n', 0}
		in[1].Payload = nil
		in[2].Payload = bytes.Repeat([]byte{0xab}, 64<<10)
		mustAppend(t, st, s, engine.NoStream(), in)
		loaded, _ := st.Load(ctx, s)
		for i := range in {
			if !bytes.Equal(loaded[i].Payload, in[i].Payload) {
				t.Fatalf("payload %d differs (%d vs %d bytes)", i, len(loaded[i].Payload), len(in[i].Payload))
			}
		}
	})
	t.Run("load of a missing stream is empty, version 0, fold calls nothing", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		evs, err := st.Load(ctx, s)
		if err != nil || len(evs) != 0 {
			t.Fatalf("Load = %v, %v", evs, err)
		}
		evs, err = st.LoadFrom(ctx, s, 3)
		if err != nil || len(evs) != 0 {
			t.Fatalf("LoadFrom = %v, %v", evs, err)
		}
		if err := st.Fold(ctx, s, 0, func(engine.EventEnvelope) error { return errors.New("called") }); err != nil {
			t.Fatalf("Fold = %v", err)
		}
		assertVersion(t, st, s, 0)
	})
	t.Run("LoadFrom returns the events after a sequence", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		mustAppend(t, st, s, engine.NoStream(), NewEvents(s, "c1", 2))
		mustAppend(t, st, s, engine.Exact(2), NewEvents(s, "c2", 3))
		for after, want := range map[uint64][2]uint64{0: {1, 5}, 1: {2, 5}, 2: {3, 5}, 3: {4, 5}, 4: {5, 5}} {
			evs, err := st.LoadFrom(ctx, s, after)
			if err != nil {
				t.Fatal(err)
			}
			assertSequences(t, evs, want[0], want[1])
		}
		for _, after := range []uint64{5, 6, 100} {
			if evs, err := st.LoadFrom(ctx, s, after); err != nil || len(evs) != 0 {
				t.Fatalf("LoadFrom(%d) = %d events, %v", after, len(evs), err)
			}
		}
	})
	t.Run("Fold visits the events after a sequence in order and stops at an error", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		mustAppend(t, st, s, engine.NoStream(), NewEvents(s, "c1", 3))
		mustAppend(t, st, s, engine.Exact(3), NewEvents(s, "c2", 3))
		var seen []uint64
		if err := st.Fold(ctx, s, 2, func(e engine.EventEnvelope) error { seen = append(seen, e.Sequence); return nil }); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(seen) != "[3 4 5 6]" {
			t.Fatalf("folded %v, want [3 4 5 6]", seen)
		}
		stop := errors.New("stop")
		seen = nil
		err := st.Fold(ctx, s, 0, func(e engine.EventEnvelope) error {
			seen = append(seen, e.Sequence)
			if e.Sequence == 4 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || fmt.Sprint(seen) != "[1 2 3 4]" {
			t.Fatalf("Fold = %v after %v; want stop after [1 2 3 4]", err, seen)
		}
	})
	t.Run("Version counts events across batches", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		var v uint64
		for i, n := range []int{1, 3, 2, 1} {
			mustAppend(t, st, s, engine.Exact(v), NewEvents(s, engine.CommandID(fmt.Sprint("c", i)), n))
			v += uint64(n)
			assertVersion(t, st, s, v)
		}
	})
	t.Run("streams are isolated by tenant and process", func(t *testing.T) {
		st := newStore(t)
		a := NewStream()
		b := engine.StreamOf(OtherTenant, a.Process)
		c := NewStream()
		mustAppend(t, st, a, engine.NoStream(), NewEvents(a, "a", 2))
		mustAppend(t, st, b, engine.NoStream(), NewEvents(b, "b", 1))
		mustAppend(t, st, c, engine.NoStream(), NewEvents(c, "c", 3))
		assertVersion(t, st, a, 2)
		assertVersion(t, st, b, 1)
		assertVersion(t, st, c, 3)
		evs, _ := st.Load(ctx, b)
		if len(evs) != 1 || evs[0].CommandID != "b" || evs[0].Stream != b {
			t.Fatalf("stream b holds %+v", evs)
		}
	})
	t.Run("50 concurrent writers retrying on conflict give a gap-free stream without duplicates", func(t *testing.T) {
		st, s := newStore(t), NewStream()
		const writers = 50
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				cmd := engine.CommandID(fmt.Sprint("w", w))
				for attempt := 0; ; attempt++ {
					if attempt > 10*writers {
						errs <- fmt.Errorf("writer %d: no success after %d attempts", w, attempt)
						return
					}
					v, err := st.Version(ctx, s)
					if err != nil {
						errs <- err
						return
					}
					_, err = st.Append(ctx, s, engine.Exact(v), NewEvents(s, cmd, 1+w%3))
					if errors.Is(err, engine.ErrConflict) {
						continue
					}
					if err != nil {
						errs <- err
					}
					return
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		evs, err := st.Load(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for w := range writers {
			want += 1 + w%3
		}
		assertSequences(t, evs, 1, uint64(want))
		per := map[engine.CommandID][]uint64{}
		ids := map[engine.EventID]bool{}
		for _, e := range evs {
			per[e.CommandID] = append(per[e.CommandID], e.Sequence)
			if ids[e.EventID] {
				t.Fatalf("event id %s stored twice", e.EventID)
			}
			ids[e.EventID] = true
		}
		for w := range writers {
			seqs := per[engine.CommandID(fmt.Sprint("w", w))]
			if len(seqs) != 1+w%3 {
				t.Fatalf("writer %d: %d events, want %d", w, len(seqs), 1+w%3)
			}
			for i := 1; i < len(seqs); i++ {
				if seqs[i] != seqs[i-1]+1 {
					t.Fatalf("writer %d: batch not contiguous: %v", w, seqs)
				}
			}
		}
		assertVersion(t, st, s, uint64(want))
	})
}

func mustAppend(t *testing.T, st engine.EventStore, s engine.StreamID, exp engine.ExpectedVersion, evs []engine.NewEvent) []engine.EventEnvelope {
	t.Helper()
	out, err := st.Append(context.Background(), s, exp, evs)
	if err != nil {
		t.Fatalf("Append(%s, %s): %v", s, exp, err)
	}
	if len(out) != len(evs) {
		t.Fatalf("Append returned %d envelopes for %d events", len(out), len(evs))
	}
	return out
}

func assertVersion(t *testing.T, st engine.EventStore, s engine.StreamID, want uint64) {
	t.Helper()
	v, err := st.Version(context.Background(), s)
	if err != nil || v != want {
		t.Fatalf("Version(%s) = %d, %v; want %d", s, v, err, want)
	}
}

func assertConflict(t *testing.T, err error, s engine.StreamID, exp engine.ExpectedVersion, actual uint64) {
	t.Helper()
	if !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
	var ce *engine.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %T %v, want *ConflictError", err, err)
	}
	if ce.Stream != s || ce.Expected != exp || ce.Actual != actual {
		t.Fatalf("conflict = {%s expected %s actual %d}, want {%s expected %s actual %d}", ce.Stream, ce.Expected, ce.Actual, s, exp, actual)
	}
}

func assertSequences(t *testing.T, evs []engine.EventEnvelope, from, to uint64) {
	t.Helper()
	if uint64(len(evs)) != to-from+1 {
		t.Fatalf("%d events, want sequences %d..%d", len(evs), from, to)
	}
	for i, e := range evs {
		if e.Sequence != from+uint64(i) {
			t.Fatalf("event %d has sequence %d, want %d (gap or disorder)", i, e.Sequence, from+uint64(i))
		}
	}
}

func assertEnvelope(t *testing.T, got, want engine.EventEnvelope) {
	t.Helper()
	g, w := got, want
	g.Payload, w.Payload = nil, nil
	g.Timestamp = w.Timestamp
	if !reflect.DeepEqual(g, w) {
		t.Errorf("envelope\n got %+v\nwant %+v", g, w)
	}
	if !bytes.Equal(got.Payload, want.Payload) {
		t.Errorf("payload %q, want %q", got.Payload, want.Payload)
	}
}
