package scheduler_test

import (
	"context"
	"errors"
	"testing"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/wire/timer"
	"github.com/mako-engine/mako/pkg/workers/scheduler"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

func TestRefusesWithoutSchedules(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if _, err := scheduler.New(ctx, js); err == nil {
		t.Fatal("started without a timers stream")
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: timer.Stream, Subjects: []string{"mako.timer.>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := scheduler.New(ctx, js); !errors.Is(err, scheduler.ErrNoSchedules) {
		t.Fatalf("want ErrNoSchedules, got %v", err)
	}
}

func TestStartsOnDefinedStream(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.EnsureStreams(ctx, js, []string{timer.Stream}); err != nil {
		t.Fatal(err)
	}
	if _, err := scheduler.New(ctx, js); err != nil {
		t.Fatal(err)
	}
}
