package natsstore

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
)

// benchEvents returns one event whose payload has size bytes, like a small
// workflow event.
func benchEvents(s engine.StreamID, cmd engine.CommandID, size int) []engine.NewEvent {
	evs := enginetest.NewEvents(s, cmd, 1)
	evs[0].Payload = make([]byte, size)
	return evs
}

// commitSize returns the bytes (payload + headers) of the commit message
// the store writes for evs, so the raw publish can use the same size.
func commitSize(b *testing.B, st *EventStore, s engine.StreamID, evs []engine.NewEvent) int {
	b.Helper()
	rec := newCommitRecord(s, 1, time.Now(), evs)
	m, err := rec.message(st.Subject(s), "x")
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

// BenchmarkAppendVsRaw: each iteration appends one single-event commit to a
// FRESH process (NoStream, OCC header, Nats-Msg-Id, msgpack record) and,
// in the same loop, does one raw JetStream sync publish of a payload of the
// same total size. Reported: appends/s, raw/s and ratio = appends/raw.
func BenchmarkAppendVsRaw(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b)
	st := e.stores.Events
	_, js := e.srv.JetStream()
	probe := enginetest.NewStream()
	size := commitSize(b, st, probe, benchEvents(probe, "c", 200))
	raw := make([]byte, size)
	var appendDur, rawDur time.Duration
	for i := 0; b.Loop(); i++ {
		s := enginetest.NewStream()
		evs := benchEvents(s, "c", 200)
		t0 := time.Now()
		if _, err := st.Append(ctx, s, engine.NoStream(), evs); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := js.Publish(ctx, "mako.evt.raw.p"+strconv.Itoa(i), raw); err != nil {
			b.Fatal(err)
		}
		appendDur += t1.Sub(t0)
		rawDur += time.Since(t1)
	}
	reportPair(b, "appends/s", appendDur, rawDur)
}

// BenchmarkAppendHotVsRaw: appends to ONE process with Exact(version), the
// anchor cached by the previous append, vs raw sync publish of the same size.
func BenchmarkAppendHotVsRaw(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b)
	st := e.stores.Events
	_, js := e.srv.JetStream()
	s := enginetest.NewStream()
	size := commitSize(b, st, s, benchEvents(s, "c", 200))
	raw := make([]byte, size)
	var appendDur, rawDur time.Duration
	var v uint64
	for i := 0; b.Loop(); i++ {
		evs := benchEvents(s, engine.CommandID(fmt.Sprint("c", i)), 200)
		t0 := time.Now()
		if _, err := st.Append(ctx, s, engine.Exact(v), evs); err != nil {
			b.Fatal(err)
		}
		v++
		t1 := time.Now()
		if _, err := js.Publish(ctx, "mako.evt.raw.p", raw); err != nil {
			b.Fatal(err)
		}
		appendDur += t1.Sub(t0)
		rawDur += time.Since(t1)
	}
	reportPair(b, "appends/s", appendDur, rawDur)
}

func reportPair(b *testing.B, name string, op, raw time.Duration) {
	n := float64(b.N)
	b.ReportMetric(n/op.Seconds(), name)
	b.ReportMetric(n/raw.Seconds(), "raw/s")
	b.ReportMetric(raw.Seconds()/op.Seconds(), "ratio")
	b.ReportMetric(0, "ns/op") // the pair's wall time is meaningless
}

// replayTail is how many events follow the snapshot in the "snapshot" case
// of BenchmarkReplay (the engine's default interval is 100, so on average
// ≈ 50; 10 keeps the case about the lookup cost).
const replayTail = 10

// BenchmarkReplay folds a process of n single-event commits (200-byte
// payloads), interleaved with commits of other processes, from a store with
// a cold anchor cache: "full" folds from 0; "snapshot" loads the snapshot
// (saved right after its commit, so it carries the commit's stream
// sequence) and folds the tail after it. Reported: µs per replay and
// events/s.
func BenchmarkReplay(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10, 100, 1000, 10000} {
		e := newEnv(b)
		st := e.stores.Events
		s, noise := enginetest.NewStream(), enginetest.NewStream()
		snapAt := max(n-replayTail, n/2)
		for i := range n {
			if _, err := st.Append(ctx, s, engine.Exact(uint64(i)), benchEvents(s, engine.CommandID(fmt.Sprint("c", i)), 200)); err != nil {
				b.Fatal(err)
			}
			if _, err := st.Append(ctx, noise, engine.Exact(uint64(i)), benchEvents(noise, engine.CommandID(fmt.Sprint("n", i)), 200)); err != nil {
				b.Fatal(err)
			}
			if i+1 == snapAt {
				// Saved right after the commit it covers, as the engine does.
				if err := e.stores.Snapshots.Save(ctx, engine.Snapshot{Stream: s, Sequence: uint64(snapAt), SchemaVersion: 1, State: make([]byte, 512)}); err != nil {
					b.Fatal(err)
				}
			}
		}
		_, js := e.srv.JetStream()
		coldStores, err := Open(ctx, js) // fresh caches: nothing known about s
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(coldStores.Close)
		cold := coldStores.Events
		b.Run(fmt.Sprintf("full/%d", n), func(b *testing.B) {
			for b.Loop() {
				cold.forget(s)
				cnt := 0
				if err := cold.Fold(ctx, s, 0, func(engine.EventEnvelope) error { cnt++; return nil }); err != nil {
					b.Fatal(err)
				}
				if cnt != n {
					b.Fatalf("folded %d", cnt)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/replay")
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
		})
		b.Run(fmt.Sprintf("snapshot/%d", n), func(b *testing.B) {
			for b.Loop() {
				cold.forget(s)
				snap, ok, err := coldStores.Snapshots.Load(ctx, s)
				if err != nil || !ok {
					b.Fatal(ok, err)
				}
				cnt := 0
				if err := cold.Fold(ctx, s, snap.Sequence, func(engine.EventEnvelope) error { cnt++; return nil }); err != nil {
					b.Fatal(err)
				}
				if cnt != n-snapAt {
					b.Fatalf("folded %d", cnt)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/replay")
		})
	}
}
