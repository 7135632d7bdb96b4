package enginetest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
)

// Backend is the set of stores RunEngine and the benchmark workloads run
// against. Snapshots and Registry may be nil (the parts that need them are
// skipped).
type Backend struct {
	Events    engine.EventStore
	Snapshots engine.SnapshotStore
	Registry  engine.Registry
}

// CounterState is the state of the benchmark workflow.
type CounterState struct {
	N   int64
	Sum int64
}

// Counted is the benchmark workflow's event (about 100 bytes of msgpack).
type Counted struct {
	Delta int64
	Note  string
}

// EventType implements engine.EventData.
func (Counted) EventType() string { return "Counted" }

// Count asks for one Counted event.
type Count struct{ Delta int64 }

// CommandType implements engine.CommandData.
func (Count) CommandType() string { return "Count" }

// CountMany asks for N Counted events in one commit.
type CountMany struct{ N int }

// CommandType implements engine.CommandData.
func (CountMany) CommandType() string { return "CountMany" }

// Counter is the benchmark workflow: a pure counter.
type Counter struct{}

var benchNote = strings.Repeat("n", 64)

// Name implements engine.Workflow.
func (Counter) Name() string { return "enginetest.counter" }

// Codec implements engine.Workflow.
func (Counter) Codec() *engine.Codec {
	return engine.NewCodec().Event(Counted{}, 1).Command(Count{}).Command(CountMany{})
}

// Initial implements engine.Workflow.
func (Counter) Initial() CounterState { return CounterState{} }

// Apply implements engine.Workflow.
func (Counter) Apply(s CounterState, ev engine.Event) CounterState {
	if c, ok := ev.Data.(Counted); ok {
		s.N++
		s.Sum += c.Delta
	}
	return s
}

// Handle implements engine.Workflow.
func (Counter) Handle(_ CounterState, cmd engine.Command) (engine.Decision, error) {
	switch c := cmd.Payload.(type) {
	case Count:
		return engine.Decision{Events: []engine.EventData{Counted{Delta: c.Delta, Note: benchNote}}}, nil
	case CountMany:
		evs := make([]engine.EventData, c.N)
		for i := range evs {
			evs[i] = Counted{Delta: 1, Note: benchNote}
		}
		return engine.Decision{Events: evs}, nil
	}
	return engine.Decision{}, fmt.Errorf("unknown command %T", cmd.Payload)
}

// CounterDefinition is Counter bound to FV2604.
func CounterDefinition() *engine.Definition[CounterState] {
	return engine.Define[CounterState](Counter{}, fv.MustParse("FV2604"))
}

var benchTime = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// NewHotProcess spawns a Counter process on be, executes one command so that
// its state is cached, and returns a function that executes one more Count
// command per call (i must differ between calls: it makes the command id).
// Backends use it to compare a hot execute with their raw write.
func NewHotProcess(tb testing.TB, be Backend) func(ctx context.Context, i int) error {
	tb.Helper()
	opts := []engine.Option{engine.WithEventStore(be.Events)}
	if be.Snapshots != nil {
		opts = append(opts, engine.WithSnapshotStore(be.Snapshots))
	}
	ec, err := engine.New(opts...)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := Spawn(CounterDefinition(), ec, Tenant)
	if err != nil {
		tb.Fatal(err)
	}
	prefix := string(p.Identity().Process) + "-"
	exec := func(ctx context.Context, i int) error {
		cmd := engine.Command{ID: engine.CommandID(prefix + strconv.Itoa(i)), ReceivedAt: benchTime, Payload: Count{Delta: 1}}
		_, err := p.ExecuteWithContext(ctx, cmd)
		return err
	}
	if err := exec(context.Background(), -1); err != nil {
		tb.Fatal(err)
	}
	return exec
}

// BenchExecuteHot measures Execute on a hot (cached) process: one
// single-event commit per iteration with optimistic concurrency. It reports
// execs/s.
func BenchExecuteHot(b *testing.B, newBackend func(testing.TB) Backend) {
	exec := NewHotProcess(b, newBackend(b))
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := exec(ctx, i); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "execs/s")
}

// BenchReplay measures rebuilding the state of a Counter process with n
// events (committed in batches of up to 100 events): by full replay, or with
// withSnapshot from a snapshot taken at version n (empty tail). It reports
// events/op and replays/s.
func BenchReplay(b *testing.B, newBackend func(testing.TB) Backend, n int, withSnapshot bool) {
	be := newBackend(b)
	if withSnapshot && be.Snapshots == nil {
		b.Skip("backend has no snapshot store")
	}
	interval := 0
	if withSnapshot {
		interval = n
	}
	opts := []engine.Option{engine.WithEventStore(be.Events), engine.WithSnapshotInterval(interval)}
	if be.Snapshots != nil {
		opts = append(opts, engine.WithSnapshotStore(be.Snapshots))
	}
	ec, err := engine.New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	p, err := Spawn(CounterDefinition(), ec, Tenant)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for done := 0; done < n; {
		k := min(100, n-done)
		cmd := engine.Command{ID: engine.CommandID("fill-" + strconv.Itoa(done)), ReceivedAt: benchTime, Payload: CountMany{N: k}}
		if _, err := p.ExecuteWithContext(ctx, cmd); err != nil {
			b.Fatal(err)
		}
		done += k
	}
	if withSnapshot {
		snap, ok, err := be.Snapshots.Load(ctx, p.Identity().Stream())
		if err != nil || !ok || snap.Sequence != uint64(n) {
			b.Fatalf("no snapshot at %d: %+v %v %v", n, snap.Sequence, ok, err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var s CounterState
		var v uint64
		if withSnapshot {
			s, v, err = p.StateWithSnapshot(ctx)
		} else {
			s, v, err = p.State(ctx)
		}
		if err != nil || v != uint64(n) || s.N != int64(n) {
			b.Fatalf("replay: %+v at %d, %v", s, v, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(n), "events/op")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "replays/s")
}

// ReplaySizes are the stream lengths the replay benchmarks cover.
var ReplaySizes = []int{10, 100, 1000, 10000}

// RunReplayBenchmarks runs BenchReplay for every ReplaySizes entry, by full
// replay and with snapshot, as sub-benchmarks "events=<n>/full" and
// "events=<n>/snapshot".
func RunReplayBenchmarks(b *testing.B, newBackend func(testing.TB) Backend) {
	for _, n := range ReplaySizes {
		b.Run(fmt.Sprintf("events=%d/full", n), func(b *testing.B) { BenchReplay(b, newBackend, n, false) })
		b.Run(fmt.Sprintf("events=%d/snapshot", n), func(b *testing.B) { BenchReplay(b, newBackend, n, true) })
	}
}
