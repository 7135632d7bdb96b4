package timer_test

import (
	"context"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/timer"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

func TestAtRoundsUp(t *testing.T) {
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	if got := timer.At(base); !got.Equal(base) {
		t.Fatalf("whole second moved: %v", got)
	}
	if got := timer.At(base.Add(time.Millisecond)); !got.Equal(base.Add(time.Second)) {
		t.Fatalf("not rounded up: %v", got)
	}
}

func TestScheduleFiresOnceAndCancelNever(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.EnsureStreams(ctx, js, []string{timer.Stream}); err != nil {
		t.Fatal(err)
	}
	wf, _ := engine.NewWorkflowID("test.timer", "FV2604")
	id := engine.ProcessIdentity{Tenant: "acme", Process: engine.NewProcessID(), Workflow: wf}
	due := time.Now().Add(1500 * time.Millisecond)
	keep := engine.DeadlineSet{ID: "d-keep", Label: "aperak", Due: due}
	drop := engine.DeadlineSet{ID: "d-drop", Label: "answer", Due: due}
	for _, d := range []engine.DeadlineSet{keep, drop} {
		if err := timer.Schedule(ctx, js, id, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := timer.Cancel(ctx, js, id.Tenant, id.Process, drop.ID); err != nil {
		t.Fatal(err)
	}
	// The server restarts in between: schedules are durable.
	s.Restart()
	_, js = s.JetStream()
	cons, err := js.OrderedConsumer(ctx, timer.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"mako.timer.fired.>"}})
	if err != nil {
		t.Fatal(err)
	}
	var fired []timer.Fired
	deadline := time.Now().Add(6 * time.Second)
	for time.Now().Before(deadline) {
		// Both deadlines share a due time: once the kept one fired and a
		// second more has passed, the cancelled one would have fired too.
		if len(fired) > 0 && time.Now().After(due.Add(time.Second)) {
			break
		}
		batch, err := cons.Fetch(10, jetstream.FetchMaxWait(500*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		for m := range batch.Messages() {
			f, err := timer.DecodeFired(m.Subject(), m.Headers())
			if err != nil {
				t.Fatal(err)
			}
			if time.Now().Before(due) {
				t.Errorf("deadline %s fired early", f.Deadline)
			}
			fired = append(fired, f)
		}
	}
	if len(fired) != 1 || fired[0].Deadline != keep.ID || fired[0].Identity != id || fired[0].Label != "aperak" || !fired[0].Due.Equal(due.UTC()) {
		t.Fatalf("fired %+v, want exactly d-keep", fired)
	}
}
