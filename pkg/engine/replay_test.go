package engine_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine/enginetest"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/vmihailenco/msgpack/v5"
)

func appendRaw(t *testing.T, st engine.EventStore, id engine.ProcessIdentity, typ string, version int, payload []byte) {
	t.Helper()
	_, err := st.Append(context.Background(), id.Stream(), engine.Any(), []engine.NewEvent{{
		Tenant: id.Tenant, Process: id.Process, Workflow: id.Workflow, Type: typ, SchemaVersion: version,
		CommandID: engine.NewCommandID(), Payload: payload,
	}})
	if err != nil {
		t.Fatal(err)
	}
}

func mp(t *testing.T, v any) []byte {
	t.Helper()
	b, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUpcastV1EventReadAsV2(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	ec := st.engine(t)
	d := ledgerDef()
	p := spawn(t, ec, d)
	id := p.Identity()
	appendRaw(t, st.events, id, "Added", 1, mp(t, map[string]any{"Value": 5, "Note": "v1", "At": t0}))
	if _, err := p.ExecuteWithContext(ctx, cmdAt("v2", t0, Add{Amount: 7, Note: "v2"})); err != nil {
		t.Fatal(err)
	}
	s, v, err := p.State(ctx)
	if err != nil || s.Total != 12 || v != 2 || !reflect.DeepEqual(s.Notes, []string{"v1", "v2"}) {
		t.Fatalf("State = %+v, %d, %v", s, v, err)
	}
	evs, _ := st.events.Load(ctx, id.Stream())
	ev, err := d.DecodeEvent(evs[0])
	if err != nil || ev.SchemaVersion != 2 || ev.Data.(Added).Amount != 5 || ev.Sequence != 1 {
		t.Fatalf("DecodeEvent(v1) = %+v, %v", ev, err)
	}

	// Without an upcaster, a v1 event is a decode error at its sequence.
	plain := engine.Define[ledgerState](ledgerPlain{}, fv2604)
	q, _ := enginetest.Resume(plain, ec, id)
	_, _, err = q.State(ctx)
	assertDecodeError(t, err, id.Stream(), 1)

	// A schema version newer than the codec's, and an upcaster failure.
	for i, raw := range []struct {
		v       int
		payload []byte
	}{{3, mp(t, map[string]any{"Amount": 1})}, {1, mp(t, map[string]any{"Amount": 1})}, {0, mp(t, map[string]any{"Amount": 1})}} {
		r := spawn(t, ec, d)
		appendRaw(t, st.events, r.Identity(), "Added", raw.v, raw.payload)
		_, _, err := r.State(ctx)
		assertDecodeError(t, err, r.Identity().Stream(), 1)
		if i == 1 && !errors.Is(err, engine.ErrDecode) {
			t.Fatal(err)
		}
	}
}

func assertDecodeError(t *testing.T, err error, s engine.StreamID, seq uint64) {
	t.Helper()
	var de *engine.DecodeError
	if !errors.As(err, &de) || !errors.Is(err, engine.ErrDecode) {
		t.Fatalf("err = %v, want *DecodeError", err)
	}
	if de.Stream != s || de.Sequence != seq {
		t.Fatalf("DecodeError names %s seq %d, want %s seq %d (%v)", de.Stream, de.Sequence, s, seq, err)
	}
}

func TestCorruptOrUnknownPayloadsAreDecodeErrors(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	ec := st.engine(t)
	good := mp(t, Added{Amount: 1, Note: "ok", At: t0})
	for name, bad := range map[string]struct {
		typ     string
		payload []byte
	}{
		"garbage":           {"Added", []byte{0xc1, 0xff, 0x00}},
		"truncated":         {"Added", good[:len(good)-3]},
		"trailing bytes":    {"Added", append(append([]byte{}, good...), 0x01)},
		"wrong shape":       {"Added", mp(t, "a string")},
		"wrong field type":  {"Added", mp(t, map[string]any{"Amount": "x"})},
		"unknown field":     {"Added", mp(t, map[string]any{"Amount": 1, "Bogus": 2})},
		"unknown type":      {"Nope", good},
		"empty":             {"Added", nil},
		"huge map header":   {"Added", []byte{0xdf, 0xff, 0xff, 0xff, 0xff}},
		"huge string":       {"Added", []byte{0x81, 0xa4, 'N', 'o', 't', 'e', 0xdb, 0xff, 0xff, 0xff, 0xff, 'x'}},
		"engine event junk": {engine.EventDeadlineSet, []byte{0x93, 0x01}},
	} {
		t.Run(name, func(t *testing.T) {
			p := spawn(t, ec, ledgerDef())
			if _, err := p.Execute(ctx, Add{Amount: 1}); err != nil {
				t.Fatal(err)
			}
			appendRaw(t, st.events, p.Identity(), bad.typ, 1+btoi(bad.typ == "Added"), bad.payload)
			_, _, err := p.State(ctx)
			assertDecodeError(t, err, p.Identity().Stream(), 2)
			ec.Evict(p.Identity().Stream())
			_, err = p.Execute(ctx, Add{Amount: 1})
			assertDecodeError(t, err, p.Identity().Stream(), 2)
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSnapshotPlusTailEqualsFullReplay runs many random histories (fixed
// seeds) with random snapshot intervals, cache sizes, command windows and
// engine restarts and checks after every step that snapshot + tail and full
// replay agree on the workflow state, the version, the remembered command
// ids and the open deadlines, and that re-sent commands are duplicates
// exactly when their id is inside the command window.
func TestSnapshotPlusTailEqualsFullReplay(t *testing.T) {
	ctx := context.Background()
	d := ledgerDef()
	for seed := uint64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 42))
		st := newStores()
		interval := 1 + rng.IntN(9)
		window := []int{0, 2, 5, engine.DefaultCommandWindow}[rng.IntN(4)]
		newEC := func() *engine.Engine {
			return st.engine(t, engine.WithSnapshotInterval(interval), engine.WithCacheSize(rng.IntN(3)), engine.WithCommandWindow(window))
		}
		ec := newEC()
		p := spawn(t, ec, d)
		var sent []engine.Command
		var committed []engine.CommandID // commit order, as the engine remembers it
		inWindow := func(id engine.CommandID) bool {
			from := 0
			if window > 0 {
				from = max(0, len(committed)-window)
			}
			for _, c := range committed[from:] {
				if c == id {
					return true
				}
			}
			return false
		}
		steps := 10 + rng.IntN(80)
		for step := range steps {
			at := t0.Add(time.Duration(step) * time.Minute)
			id := fmt.Sprint(seed, "-", step)
			var res engine.Result
			var err error
			switch k := rng.IntN(10); {
			case k < 5:
				c := cmdAt(id, at, Add{Amount: rng.Int64N(100), Note: fmt.Sprint(step)})
				sent = append(sent, c)
				res, err = p.ExecuteWithContext(ctx, c)
			case k == 5:
				res, err = p.ExecuteWithContext(ctx, cmdAt(id, at, Arm{Label: []string{"answer", "silent", "x"}[rng.IntN(3)], In: time.Hour}))
			case k == 6:
				res, err = p.ExecuteWithContext(ctx, cmdAt(id, at, Disarm{Label: []string{"answer", "silent", "x"}[rng.IntN(3)]}))
			case k == 7:
				open, _ := p.OpenDeadlines(ctx)
				if len(open) > 0 {
					res, err = p.FireDeadline(ctx, engine.DeadlineFired{ID: open[rng.IntN(len(open))].ID, FiredAt: at})
				}
			case k == 8 && len(sent) > 0:
				c := sent[rng.IntN(len(sent))]
				want := inWindow(c.ID)
				res, err = p.ExecuteWithContext(ctx, c)
				if err == nil && res.Duplicate != want {
					t.Fatalf("seed %d step %d (window %d): resent %s: duplicate %v, want %v", seed, step, window, c.ID, res.Duplicate, want)
				}
			default:
				ec = newEC()
				p, err = enginetest.Resume(d, ec, p.Identity())
			}
			if err != nil {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
			if len(res.Envelopes) > 0 && !res.Duplicate {
				committed = append(committed, res.Envelopes[0].CommandID)
			}
			full, err := engine.LoadForTest(ctx, ec, d, p.Identity().Stream(), false)
			if err != nil {
				t.Fatal(err)
			}
			snap, err := engine.LoadForTest(ctx, ec, d, p.Identity().Stream(), true)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(full, snap) {
				t.Fatalf("seed %d step %d (interval %d, window %d): snapshot+tail\n%+v\nfull replay\n%+v", seed, step, interval, window, snap, full)
			}
			if window > 0 && len(full.Commands) > window {
				t.Fatalf("seed %d: %d command ids remembered, window %d", seed, len(full.Commands), window)
			}
		}
		a, va, err1 := p.State(ctx)
		b, vb, err2 := p.StateWithSnapshot(ctx)
		if err1 != nil || err2 != nil || va != vb || !reflect.DeepEqual(a, b) {
			t.Fatalf("seed %d: State %+v@%d (%v) vs StateWithSnapshot %+v@%d (%v)", seed, a, va, err1, b, vb, err2)
		}
		if _, ok, _ := st.snapshots.Load(ctx, p.Identity().Stream()); !ok && va >= uint64(interval) {
			t.Fatalf("seed %d: no snapshot at version %d with interval %d", seed, va, interval)
		}
	}
}

func TestWorkflowPanicsBecomeErrors(t *testing.T) {
	ctx := context.Background()
	st := newStores()
	ec := st.engine(t)
	p := spawn(t, ec, ledgerDef())
	if _, err := p.Execute(ctx, Add{Amount: 1, Note: "handle-panic"}); err == nil {
		t.Fatal("Handle panic not reported")
	}
	// Apply panics only after the commit: the commit is reported, the next
	// load names the event.
	res, err := p.Execute(ctx, Add{Amount: 1, Note: "apply-panic"})
	if err != nil || len(res.Envelopes) != 1 {
		t.Fatalf("commit = %+v, %v", res, err)
	}
	_, err = p.Execute(ctx, Add{Amount: 1})
	assertDecodeError(t, err, p.Identity().Stream(), 1)
	_, _, err = p.State(ctx)
	assertDecodeError(t, err, p.Identity().Stream(), 1)
}
