// Package scheduler turns fired deadlines into commands for their processes.
//
// Deadlines set by committed decisions become JetStream message schedules
// on MAKO_TIMERS (written by the effect relay, see pkg/wire/timer). The server
// keeps them across restarts and fires a schedule whose time passed while it
// was down right after start. The Scheduler consumes the fired messages
// (`mako.timer.fired.<tenant>.<process>.<deadline>`) and publishes a
// "deadline fired" command to the process (pkg/wire/command), whose id is
// derived from the deadline: firing twice is one command, and the engine
// ignores a fire of a deadline that was cancelled or already fired.
//
// Timer resolution is whole seconds (schedules are rounded up, so never
// early); a fire that still arrives before the due time — clock skew between
// server and worker — is put back until the due time.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/timer"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go/jetstream"
)

// Consumer is the scheduler's durable consumer on MAKO_TIMERS.
const Consumer = "scheduler"

// ErrNoSchedules reports a server or stream that cannot keep deadlines.
var ErrNoSchedules = errors.New("scheduler: message schedules are not available")

// Scheduler is the handler of fired timers. Build it with New.
type Scheduler struct {
	js  jetstream.JetStream
	now func() time.Time
	// fired is called after a fired command was published (metrics, tests).
	fired func(timer.Fired)
}

// Option configures a Scheduler.
type Option func(*Scheduler) error

// WithClock sets the scheduler's clock (tests inject one; workflows never
// read a clock — the fire time reaches them in the command).
func WithClock(now func() time.Time) Option {
	return func(s *Scheduler) error {
		if now == nil {
			return errors.New("scheduler: invalid option: nil clock")
		}
		s.now = now
		return nil
	}
}

// WithFiredHook calls f for every deadline that was turned into a command.
func WithFiredHook(f func(timer.Fired)) Option {
	return func(s *Scheduler) error { s.fired = f; return nil }
}

// New checks that MAKO_TIMERS can hold schedules and returns a Scheduler.
// It refuses (ErrNoSchedules) when the stream does not allow message
// schedules — for example on a server older than 2.12 — rather than accept
// deadlines it would silently never fire.
func New(ctx context.Context, js jetstream.JetStream, opts ...Option) (*Scheduler, error) {
	st, err := js.Stream(ctx, timer.Stream)
	if err != nil {
		return nil, fmt.Errorf("scheduler: stream %s: %w", timer.Stream, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("scheduler: stream %s: %w", timer.Stream, err)
	}
	if !info.Config.AllowMsgSchedules {
		return nil, fmt.Errorf("%w: stream %s has allow_msg_schedules off (needs nats-server ≥ 2.12); refusing to start rather than drop deadlines", ErrNoSchedules, timer.Stream)
	}
	s := &Scheduler{js: js, now: time.Now}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Handle implements worker.Handler for fired timer messages.
func (s *Scheduler) Handle(ctx context.Context, msg jetstream.Msg) error {
	f, err := timer.DecodeFired(msg.Subject(), msg.Headers())
	if err != nil {
		return worker.Permanent(err)
	}
	now := s.now()
	if wait := f.Due.Sub(now); wait > 0 {
		return worker.Retry(wait, fmt.Errorf("scheduler: deadline %s fired %s before its due time", f.Deadline, wait))
	}
	fired := engine.DeadlineFired{ID: f.Deadline, Label: f.Label, Due: f.Due, FiredAt: now}
	if err := command.PublishFired(ctx, s.js, f.Identity, fired); err != nil {
		return worker.Transient(err)
	}
	if err := timer.Done(ctx, s.js, f); err != nil {
		return worker.Transient(err)
	}
	if s.fired != nil {
		s.fired(f)
	}
	return nil
}
