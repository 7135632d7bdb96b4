package worker_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

func TestInvalidOptions(t *testing.T) {
	for name, o := range map[string]worker.Option{
		"concurrency": worker.WithConcurrency(0),
		"max deliver": worker.WithMaxDeliver(-1),
		"backoff":     worker.WithBackoff(time.Second, time.Millisecond),
		"window":      worker.WithTransientWindow(0),
		"grace":       worker.WithShutdownGrace(0),
		"busy":        worker.WithNakWhenBusy(0),
		"pull max":    worker.WithPullMax(0),
		"middleware":  worker.WithMiddleware(nil),
	} {
		err := worker.Run(context.Background(), nil, func(context.Context, jetstream.Msg) error { return nil }, o)
		if !errors.Is(err, worker.ErrInvalidOption) {
			t.Errorf("%s: %v, want ErrInvalidOption", name, err)
		}
	}
}

func TestMiddlewareWrapsInOrder(t *testing.T) {
	js, cons := setup(t, -1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var trail []string
	mark := func(s string) worker.Middleware {
		return func(next worker.Handler) worker.Handler {
			return func(ctx context.Context, m jetstream.Msg) error {
				mu.Lock()
				trail = append(trail, s)
				mu.Unlock()
				return next(ctx, m)
			}
		}
	}
	done := make(chan struct{})
	go worker.Run(ctx, cons, func(context.Context, jetstream.Msg) error {
		mu.Lock()
		trail = append(trail, "handler")
		mu.Unlock()
		close(done)
		return nil
	}, worker.WithMiddleware(mark("outer"), mark("inner")))
	if _, err := js.Publish(ctx, "t.x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("timeout")
	}
	mu.Lock()
	defer mu.Unlock()
	if got := strings.Join(trail, ">"); got != "outer>inner>handler" {
		t.Fatalf("trail %s", got)
	}
}

// TestDeadLetterWritesSource runs DeadLetter against a real MAKO_DLQ: the
// letter names the source message and falls back to the unknown tenant.
func TestDeadLetterWritesSource(t *testing.T) {
	js, cons := setup(t, -1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := streams.EnsureStreams(ctx, js, []string{streams.DLQ}); err != nil {
		t.Fatal(err)
	}
	sink, err := deadletter.NewSink(js, nil)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := js.Publish(ctx, "t.broken", []byte("broken"))
	if err != nil {
		t.Fatal(err)
	}
	describe := func(m jetstream.Msg, cause error) deadletter.Letter {
		return deadletter.Letter{Reason: deadletter.ReasonMalformed, Detail: "test: " + cause.Error(), Payload: m.Data()}
	}
	go worker.Run(ctx, cons, func(context.Context, jetstream.Msg) error { return worker.Permanent(errors.New("cannot read")) },
		worker.WithExhausted(worker.DeadLetter(sink, "T", describe)))
	sub, err := js.OrderedConsumer(ctx, streams.DLQ, jetstream.OrderedConsumerConfig{FilterSubjects: []string{deadletter.Subject(deadletter.UnknownTenant)}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := sub.Next(jetstream.FetchMaxWait(15 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	l, err := deadletter.Decode(m.Data())
	if err != nil {
		t.Fatal(err)
	}
	want := deadletter.Source{Stream: "T", Subject: "t.broken", Sequence: ack.Sequence}
	if l.Source != want || l.Audit.Tenant != deadletter.UnknownTenant || l.Reason != deadletter.ReasonMalformed ||
		!strings.Contains(l.Detail, "cannot read") || string(l.Payload) != "broken" {
		t.Fatalf("letter %+v", l)
	}
}
