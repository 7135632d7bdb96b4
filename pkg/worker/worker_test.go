package worker_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go/jetstream"
)

func setup(t *testing.T, maxDeliver int) (jetstream.JetStream, jetstream.Consumer) {
	t.Helper()
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}, Retention: jetstream.WorkQueuePolicy}); err != nil {
		t.Fatal(err)
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, "T", jetstream.ConsumerConfig{Durable: "w", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: maxDeliver, AckWait: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return js, cons
}

func TestOrderPerKeyAndAck(t *testing.T) {
	js, cons := setup(t, -1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const keys, per = 8, 50
	for i := range per {
		for k := range keys {
			if _, err := js.Publish(ctx, fmt.Sprintf("t.k%d", k), []byte(fmt.Sprint(i))); err != nil {
				t.Fatal(err)
			}
		}
	}
	var mu sync.Mutex
	got := map[string][]string{}
	total := 0
	done := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		errs <- worker.Run(ctx, cons, func(ctx context.Context, m jetstream.Msg) error {
			mu.Lock()
			defer mu.Unlock()
			got[m.Subject()] = append(got[m.Subject()], string(m.Data()))
			total++
			if total == keys*per {
				close(done)
			}
			return nil
		}, worker.WithConcurrency(3), worker.WithKey(func(m jetstream.Msg) string { return m.Subject() }), worker.WithDoubleAck())
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("handled %d of %d", total, keys*per)
	}
	cancel()
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	for k, seq := range got {
		for i, v := range seq {
			if v != fmt.Sprint(i) {
				t.Fatalf("key %s: position %d has %s (out of order)", k, i, v)
			}
		}
	}
	info, err := js.Stream(context.Background(), "T")
	if err != nil {
		t.Fatal(err)
	}
	si, _ := info.Info(context.Background())
	if si.State.Msgs != 0 {
		t.Fatalf("work queue still holds %d messages: not all acked", si.State.Msgs)
	}
}

func TestRetryThenExhaustedDeadLetters(t *testing.T) {
	js, cons := setup(t, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	js.Publish(ctx, "t.flaky", []byte("flaky"))
	js.Publish(ctx, "t.bad", []byte("bad"))
	js.Publish(ctx, "t.perm", []byte("perm"))
	var mu sync.Mutex
	attempts := map[string]int{}
	dead := map[string]string{}
	finished := make(chan struct{}, 8)
	go worker.Run(ctx, cons, func(ctx context.Context, m jetstream.Msg) error {
		mu.Lock()
		attempts[string(m.Data())]++
		n := attempts[string(m.Data())]
		mu.Unlock()
		switch string(m.Data()) {
		case "flaky":
			if n < 2 {
				return errors.New("transient")
			}
			finished <- struct{}{}
			return nil
		case "perm":
			return worker.Permanent(errors.New("malformed"))
		}
		return errors.New("always fails")
	}, worker.WithMaxDeliver(3), worker.WithBackoff(10*time.Millisecond, 50*time.Millisecond),
		worker.WithExhausted(func(ctx context.Context, m jetstream.Msg, cause error) error {
			mu.Lock()
			dead[string(m.Data())] = cause.Error()
			mu.Unlock()
			finished <- struct{}{}
			return nil
		}))
	for range 3 {
		select {
		case <-finished:
		case <-time.After(15 * time.Second):
			t.Fatal("timeout")
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if attempts["flaky"] != 2 {
		t.Errorf("flaky attempts = %d, want 2", attempts["flaky"])
	}
	if attempts["bad"] != 3 || !strings.Contains(dead["bad"], "always fails") {
		t.Errorf("bad: attempts %d, dead %q", attempts["bad"], dead["bad"])
	}
	if attempts["perm"] != 1 || !strings.Contains(dead["perm"], "malformed") {
		t.Errorf("perm: attempts %d, dead %q", attempts["perm"], dead["perm"])
	}
	if _, ok := dead["flaky"]; ok {
		t.Error("flaky was dead-lettered")
	}
}

func TestFailedDeadLetterKeepsMessage(t *testing.T) {
	js, cons := setup(t, -1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	js.Publish(ctx, "t.x", []byte("x"))
	calls := make(chan int, 16)
	n := 0
	go worker.Run(ctx, cons, func(ctx context.Context, m jetstream.Msg) error {
		return worker.Permanent(errors.New("bad"))
	}, worker.WithBackoff(10*time.Millisecond, 20*time.Millisecond),
		worker.WithExhausted(func(ctx context.Context, m jetstream.Msg, cause error) error {
			n++
			calls <- n
			if n == 1 {
				return errors.New("dlq unavailable")
			}
			return nil
		}))
	for want := 1; want <= 2; want++ {
		select {
		case got := <-calls:
			if got != want {
				t.Fatalf("call %d, want %d", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("dead-letter call %d never came: message was dropped", want)
		}
	}
}

func TestShutdownFinishesInFlight(t *testing.T) {
	js, cons := setup(t, -1)
	ctx, cancel := context.WithCancel(context.Background())
	js.Publish(context.Background(), "t.slow", []byte("slow"))
	started := make(chan struct{})
	var finished bool
	errs := make(chan error, 1)
	go func() {
		errs <- worker.Run(ctx, cons, func(hctx context.Context, m jetstream.Msg) error {
			close(started)
			time.Sleep(300 * time.Millisecond)
			if hctx.Err() != nil {
				return hctx.Err()
			}
			finished = true
			return nil
		}, worker.WithDoubleAck())
	}()
	<-started
	cancel()
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if !finished {
		t.Fatal("in-flight handler was cut off")
	}
	st, _ := js.Stream(context.Background(), "T")
	si, _ := st.Info(context.Background())
	if si.State.Msgs != 0 {
		t.Fatal("in-flight message was not acknowledged on shutdown")
	}
}

func TestNakWhenBusyDoesNotStall(t *testing.T) {
	js, cons := setup(t, -1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// One slow key fills its lane; messages of other keys still get through.
	for i := range 40 {
		js.Publish(ctx, "t.slow", []byte(fmt.Sprint(i)))
	}
	js.Publish(ctx, "t.fast", []byte("fast"))
	release := make(chan struct{})
	fast := make(chan struct{})
	go worker.Run(ctx, cons, func(ctx context.Context, m jetstream.Msg) error {
		if m.Subject() == "t.fast" {
			close(fast)
			return nil
		}
		<-release
		return nil
	}, worker.WithConcurrency(2), worker.WithKey(func(m jetstream.Msg) string {
		if m.Subject() == "t.fast" {
			return "b"
		}
		return "a"
	}), worker.WithNakWhenBusy(50*time.Millisecond))
	select {
	case <-fast:
	case <-time.After(10 * time.Second):
		t.Fatal("a slow key stalled the dispatcher")
	}
	close(release)
}

func TestTransientIgnoresMaxDeliverWithinWindow(t *testing.T) {
	js, cons := setup(t, -1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	js.Publish(ctx, "t.outage", []byte("outage"))
	var mu sync.Mutex
	attempts := 0
	done := make(chan struct{})
	dead := make(chan struct{}, 1)
	go worker.Run(ctx, cons, func(ctx context.Context, m jetstream.Msg) error {
		mu.Lock()
		defer mu.Unlock()
		attempts++
		if attempts <= 6 { // longer than MaxDeliver
			return worker.Transient(errors.New("store unavailable"))
		}
		close(done)
		return nil
	}, worker.WithMaxDeliver(2), worker.WithBackoff(5*time.Millisecond, 10*time.Millisecond),
		worker.WithExhausted(func(context.Context, jetstream.Msg, error) error { dead <- struct{}{}; return nil }))
	select {
	case <-done:
	case <-dead:
		t.Fatal("a transient failure was dead-lettered after MaxDeliver")
	case <-time.After(10 * time.Second):
		t.Fatal("timeout")
	}
}

func TestTransientDeadLetteredAfterWindow(t *testing.T) {
	js, cons := setup(t, -1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	js.Publish(ctx, "t.outage", []byte("outage"))
	dead := make(chan error, 1)
	go worker.Run(ctx, cons, func(ctx context.Context, m jetstream.Msg) error {
		return worker.Transient(errors.New("store unavailable"))
	}, worker.WithTransientWindow(300*time.Millisecond), worker.WithBackoff(20*time.Millisecond, 50*time.Millisecond),
		worker.WithExhausted(func(_ context.Context, _ jetstream.Msg, cause error) error { dead <- cause; return nil }))
	select {
	case err := <-dead:
		if !strings.Contains(err.Error(), "transient window") {
			t.Fatalf("cause %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a transient failure past its window was never dead-lettered")
	}
}

// A graceful stop leaves nothing to the consumer's AckWait (issue 12 item
// 7): the message in flight finishes and is acknowledged even though it
// outlives the shutdown grace (a synchronous ack with the handler's
// cancelled context would never reach the server), and the messages
// already received but not started are handed back, not handled. The
// consumer's AckWait is an hour: a message left to it would not come back
// during the test.
func TestStopAcksFinishedWorkAndHandsBackTheRest(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	bg := context.Background()
	if _, err := js.CreateStream(bg, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}, Retention: jetstream.WorkQueuePolicy}); err != nil {
		t.Fatal(err)
	}
	cons, err := js.CreateOrUpdateConsumer(bg, "T", jetstream.ConsumerConfig{Durable: "w", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: -1, AckWait: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := js.Publish(bg, "t.one", []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var handled []string
	run := func(ctx context.Context, started chan<- struct{}) error {
		return worker.Run(ctx, cons, func(ctx context.Context, m jetstream.Msg) error {
			select {
			case started <- struct{}{}:
			default:
			}
			time.Sleep(300 * time.Millisecond) // ignores ctx: finishes after the grace
			mu.Lock()
			handled = append(handled, string(m.Data()))
			mu.Unlock()
			return nil
		}, worker.WithConcurrency(1), worker.WithKey(func(jetstream.Msg) string { return "one" }),
			worker.WithDoubleAck(), worker.WithShutdownGrace(50*time.Millisecond))
	}
	ctx, cancel := context.WithCancel(bg)
	started := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, started) }()
	<-started
	time.Sleep(50 * time.Millisecond) // the others are queued in the lane by now
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	first := slices.Clone(handled)
	mu.Unlock()
	if len(first) != 1 {
		t.Fatalf("handled %v after the stop began, want only the one in flight", first)
	}
	info, err := cons.Info(bg)
	if err != nil {
		t.Fatal(err)
	}
	if info.AckFloor.Stream != 1 {
		t.Fatalf("ack floor %d: the finished message was not acknowledged", info.AckFloor.Stream)
	}
	// A restarted worker gets the handed-back messages now, not in an hour.
	ctx2, cancel2 := context.WithCancel(bg)
	defer cancel2()
	go func() { done <- run(ctx2, make(chan struct{}, 1)) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		mu.Lock()
		n := len(handled)
		mu.Unlock()
		if n == 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a restart %d of 5 messages handled: the rest was left to AckWait", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel2()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(handled, []string{"0", "1", "2", "3", "4"}) {
		t.Fatalf("handled %v, want each once in order", handled)
	}
}
