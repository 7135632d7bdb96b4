package natsstore

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
)

var benchAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// secondStores opens a second set of stores on its own connection (its own
// anchor cache), like a second worker process.
func secondStores(t testing.TB, e *env) *Stores {
	t.Helper()
	_, js := e.srv.JetStream()
	st, err := Open(context.Background(), js)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	return st
}

// TestEngineConcurrentExecuteWithRetry runs 50 goroutines executing one
// command each against ONE process through two Engines on two
// connections (two store instances with their own caches), with retry on
// conflict: no command is lost, none is committed twice, the sequence is
// gap-free, and the folded state (also from a snapshot) is complete.
func TestEngineConcurrentExecuteWithRetry(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	other := secondStores(t, e)
	def := enginetest.CounterDefinition()
	var ecs []*engine.Engine
	for _, st := range []*Stores{e.stores, other} {
		ec, err := engine.New(engine.WithEventStore(st.Events), engine.WithSnapshotStore(st.Snapshots), engine.WithSnapshotInterval(7))
		if err != nil {
			t.Fatal(err)
		}
		ecs = append(ecs, ec)
	}
	p0, err := enginetest.Spawn(def, ecs[0], enginetest.Tenant)
	if err != nil {
		t.Fatal(err)
	}
	id := p0.Identity()
	const n = 50
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			p, err := enginetest.Resume(def, ecs[i%2], id)
			if err != nil {
				errs <- err
				return
			}
			cmd := engine.Command{ID: engine.CommandID(fmt.Sprint("cmd-", i)), ReceivedAt: benchAt, Payload: enginetest.Count{Delta: int64(i + 1)}}
			if _, err := p.ExecuteWithRetry(ctx, cmd, 500); err != nil {
				errs <- fmt.Errorf("command %d: %w", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	evs, err := e.stores.Events.Load(ctx, id.Stream())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[engine.CommandID]bool{}
	workflowEvents := 0
	for i, ev := range evs {
		if ev.Sequence != uint64(i+1) {
			t.Fatalf("gap: event %d has sequence %d", i, ev.Sequence)
		}
		if ev.IsEngineEvent() {
			continue
		}
		workflowEvents++
		if seen[ev.CommandID] {
			t.Fatalf("command %s committed twice", ev.CommandID)
		}
		seen[ev.CommandID] = true
	}
	if workflowEvents != n {
		t.Fatalf("%d workflow events, want %d", workflowEvents, n)
	}
	p, _ := enginetest.Resume(def, ecs[1], id)
	s, v, err := p.State(ctx)
	if err != nil || s.N != n || s.Sum != n*(n+1)/2 || v != uint64(len(evs)) {
		t.Fatalf("state %+v at %d, %v; want N=%d Sum=%d", s, v, err, n, n*(n+1)/2)
	}
	snapState, _, err := p.StateWithSnapshot(ctx)
	if err != nil || snapState != s {
		t.Fatalf("state with snapshot %+v, %v; full replay %+v", snapState, err, s)
	}
	// The same command id executed again (through the other engine) is a
	// no-op: nothing is appended.
	q, _ := enginetest.Resume(def, ecs[0], id)
	res, err := q.ExecuteWithRetry(ctx, engine.Command{ID: "cmd-7", ReceivedAt: benchAt, Payload: enginetest.Count{Delta: 1000}}, 5)
	if err != nil || !res.Duplicate {
		t.Fatalf("repeated command: %+v, %v", res, err)
	}
	if v2, _ := e.stores.Events.Version(ctx, id.Stream()); v2 != v {
		t.Fatalf("repeated command appended: version %d -> %d", v, v2)
	}
}

// lastMsgSize returns payload+header bytes of the stream's last message.
func lastMsgSize(b *testing.B, js jetstream.JetStream) int {
	b.Helper()
	ctx := context.Background()
	st, err := js.Stream(ctx, DefaultEventStream)
	if err != nil {
		b.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		b.Fatal(err)
	}
	m, err := st.GetMsg(ctx, info.State.LastSeq)
	if err != nil {
		b.Fatal(err)
	}
	n := len(m.Data)
	for k, vs := range m.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// BenchmarkExecuteHotVsRaw: per iteration one Execute of a one-event command
// on a hot process (state cached in the Engine, OCC anchor cached in
// the store) and one raw JetStream sync publish of a message of the same
// size. Reported: execs/s, raw/s, ratio = execs/raw.
func BenchmarkExecuteHotVsRaw(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b)
	exec := enginetest.NewHotProcess(b, enginetest.Backend{Events: e.stores.Events, Snapshots: e.stores.Snapshots})
	_, js := e.srv.JetStream()
	raw := make([]byte, lastMsgSize(b, js))
	var execDur, rawDur time.Duration
	for i := 0; b.Loop(); i++ {
		t0 := time.Now()
		if err := exec(ctx, i); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := js.Publish(ctx, "mako.evt.raw.p", raw); err != nil {
			b.Fatal(err)
		}
		execDur += t1.Sub(t0)
		rawDur += time.Since(t1)
	}
	reportPair(b, "execs/s", execDur, rawDur)
}

// BenchmarkEngineReplay runs the engine's shared replay workloads
// (enginetest.RunReplayBenchmarks: 10..10,000 events in commits of up to
// 100, full and from a snapshot at the head) on the NATS stores.
func BenchmarkEngineReplay(b *testing.B) {
	enginetest.RunReplayBenchmarks(b, func(tb testing.TB) enginetest.Backend {
		e := newEnv(tb)
		return enginetest.Backend{Events: e.stores.Events, Snapshots: e.stores.Snapshots}
	})
}
