package readmodel_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

// benchHistory commits procs processes of flow (start, finish: 2 commits,
// 10 events each) on an embedded server and returns the commit messages.
func benchHistory(b *testing.B, procs int) (jetstream.JetStream, *engine.Engine, []*jetstream.RawStreamMsg) {
	b.Helper()
	s := natstest.Start(b)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.Ensure(ctx, js); err != nil {
		b.Fatal(err)
	}
	st, err := natsstore.Open(ctx, js)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(st.Close)
	def := engine.Define[int](flow{}, fv.MustParse("FV2604"))
	ec, err := engine.New(engine.WithEventStore(st.Events), engine.WithWorkflows(def))
	if err != nil {
		b.Fatal(err)
	}
	for i := range procs {
		id, _ := engine.NewIdentity("nb", def.ID())
		for _, c := range []engine.Command{
			{ID: "s", ReceivedAt: t0, Payload: start{MaLo: fmt.Sprint("5123456789", i%10), PID: "55001", Due: t0.Add(time.Hour)}},
			{ID: "f", ReceivedAt: t0, Payload: finish{}},
		} {
			if _, err := ec.Execute(ctx, id, c); err != nil {
				b.Fatal(err)
			}
		}
	}
	stream, err := js.Stream(ctx, "MAKO_EVENTS")
	if err != nil {
		b.Fatal(err)
	}
	var msgs []*jetstream.RawStreamMsg
	for seq := uint64(1); ; seq++ {
		m, err := stream.GetMsg(ctx, seq)
		if err != nil {
			break
		}
		msgs = append(msgs, m)
	}
	if len(msgs) != 2*procs {
		b.Fatalf("%d commits", len(msgs))
	}
	return js, ec, msgs
}

func purge(b *testing.B, js jetstream.JetStream) {
	b.Helper()
	for _, bk := range readmodel.Buckets() {
		st, err := js.Stream(context.Background(), streams.KVStream(bk))
		if err != nil {
			b.Fatal(err)
		}
		if err := st.Purge(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProjectCommits projects 400 commits (200 processes × 2, 10
// events and 3 business keys each) into empty buckets with 8 lanes keyed by
// process, as the worker does. Metric: commits/s.
func BenchmarkProjectCommits(b *testing.B) {
	js, ec, msgs := benchHistory(b, 200)
	p, err := readmodel.NewProjector(context.Background(), js, ec)
	if err != nil {
		b.Fatal(err)
	}
	const lanes = 8
	var total time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		purge(b, js)
		chans := make([]chan *jetstream.RawStreamMsg, lanes)
		for i := range chans {
			chans[i] = make(chan *jetstream.RawStreamMsg, len(msgs))
		}
		lane := map[string]int{}
		for _, m := range msgs {
			l, ok := lane[m.Subject]
			if !ok {
				l = len(lane) % lanes
				lane[m.Subject] = l
			}
			chans[l] <- m
		}
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for _, ch := range chans {
			close(ch)
			wg.Go(func() {
				for m := range ch {
					if err := p.ProjectCommit(context.Background(), m.Subject, m.Sequence, m.Time, m.Header.Get(natsstore.HeaderSeq), m.Data); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		total += time.Since(start)
	}
	b.ReportMetric(float64(len(msgs)*b.N)/total.Seconds(), "commits/s")
}

// BenchmarkListProcesses lists one page of 50 "done" overviews of a
// tenant of 1,000 (one pass over the bucket). Metric: ms per page.
func BenchmarkListProcesses(b *testing.B) {
	js, ec, msgs := benchHistory(b, 1000)
	p, err := readmodel.NewProjector(context.Background(), js, ec)
	if err != nil {
		b.Fatal(err)
	}
	for _, m := range msgs {
		if err := p.ProjectCommit(context.Background(), m.Subject, m.Sequence, m.Time, m.Header.Get(natsstore.HeaderSeq), m.Data); err != nil {
			b.Fatal(err)
		}
	}
	store := readmodel.NewStore(js)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		page, err := store.Processes(context.Background(), readmodel.ProcessQuery{Tenant: "nb", State: "done"})
		if err != nil || len(page.Processes) != readmodel.DefaultLimit {
			b.Fatal(len(page.Processes), err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "ms/page")
}
