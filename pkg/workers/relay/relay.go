// Package relay is the effect relay: the consumer of MAKO_EVENTS that
// performs the effects recorded in each committed decision — business keys
// into the registry, deadlines onto MAKO_TIMERS (pkg/wire/timer) and final
// outbound interchanges onto MAKO_OUTBOX (pkg/wire/outbox) — in that order,
// so a process is findable before anything it sent can be answered. Every
// effect is idempotent (create-only keys, deterministic message ids), so a
// redelivered commit changes nothing.
package relay

import (
	"context"
	"errors"
	"fmt"

	"github.com/mako-engine/mako/pkg/commits"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/metrics"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/wire/timer"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Consumer is the relay's durable consumer on MAKO_EVENTS
// (natsstore.DefaultEventStream).
const Consumer = "relay"

// Relay performs the effects of committed decisions. Build it with New.
type Relay struct {
	js       jetstream.JetStream
	registry engine.Registry
	dlq      *deadletter.Sink
	log      zerolog.Logger
	observe  func(outbox.Message)
	metrics  *metrics.Metrics
}

// Option configures a Relay. An option with a value it cannot take returns
// an error wrapping ErrInvalidOption, and New fails with it.
type Option func(*Relay) error

// ErrInvalidOption reports an option value the relay cannot take.
var ErrInvalidOption = errors.New("relay: invalid option")

// WithMetrics counts the outbound messages the relay publishes.
func WithMetrics(m *metrics.Metrics) Option {
	return func(r *Relay) error { r.metrics = m; return nil }
}

// WithLogger sets the logger.
func WithLogger(l zerolog.Logger) Option { return func(r *Relay) error { r.log = l; return nil } }

// WithOutboxObserver calls f after each outbound message was published.
func WithOutboxObserver(f func(outbox.Message)) Option {
	return func(r *Relay) error {
		if f == nil {
			return fmt.Errorf("%w: nil outbox observer", ErrInvalidOption)
		}
		r.observe = f
		return nil
	}
}

// New returns a relay writing keys to registry, messages with js and dead
// letters to dlq.
func New(js jetstream.JetStream, registry engine.Registry, dlq *deadletter.Sink, opts ...Option) (*Relay, error) {
	r := &Relay{js: js, registry: registry, dlq: dlq, log: zerolog.Nop()}
	for _, o := range opts {
		if err := o(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Handle implements worker.Handler for commit messages of MAKO_EVENTS
// (commits.Handler over apply).
func (r *Relay) Handle(ctx context.Context, msg jetstream.Msg) error {
	return commits.Handler(r.apply)(ctx, msg)
}

// apply performs the effects of one commit: keys (commits.BindKeys), then
// deadlines, then outbound messages, so that a process is findable before
// anything it sent can be answered.
func (r *Relay) apply(ctx context.Context, envs []engine.EventEnvelope) error {
	if len(envs) == 0 {
		return nil
	}
	id := engine.ProcessIdentity{Tenant: envs[0].Tenant, Process: envs[0].Process, Workflow: envs[0].Workflow}
	var sched []*engine.DeadlineSet
	var cancel []*engine.DeadlineCancelled
	type out struct {
		m   *engine.OutboundMessage
		env engine.EventEnvelope
	}
	var outs []out
	for _, env := range envs {
		if !engine.IsEngineEventType(env.Type) || env.Type == engine.EventKeyBound {
			continue // keys: commits.BindKeys below
		}
		v, err := engine.DecodeEngineEvent(env)
		if err != nil {
			return worker.Permanent(fmt.Errorf("relay: %w", err))
		}
		switch e := v.(type) {
		case *engine.DeadlineSet:
			sched = append(sched, e)
		case *engine.DeadlineCancelled:
			cancel = append(cancel, e)
		case *engine.OutboundMessage:
			outs = append(outs, out{e, env})
		}
	}
	if err := commits.BindKeys(ctx, r.registry, envs); err != nil {
		return fmt.Errorf("relay: %w", err)
	}
	for _, d := range sched {
		if err := timer.Schedule(ctx, r.js, id, *d); err != nil {
			return fmt.Errorf("relay: %s: %w", id, err)
		}
	}
	for _, c := range cancel {
		if err := timer.Cancel(ctx, r.js, id.Tenant, id.Process, c.ID); err != nil {
			return fmt.Errorf("relay: %s: %w", id, err)
		}
	}
	for _, o := range outs {
		m := outbox.Message{
			ID: o.m.MessageID, Tenant: string(id.Tenant), Sender: o.m.Sender, Recipient: o.m.Recipient,
			MessageType: o.m.MessageType, Process: string(id.Process), Workflow: id.Workflow.String(), InterchangeRef: o.m.InterchangeRef,
			TraceParent: o.env.TraceParent, Payload: o.m.Payload,
		}
		if _, err := outbox.Publish(ctx, r.js, m); err != nil {
			return fmt.Errorf("relay: %s: %w", id, err)
		}
		if r.metrics != nil {
			r.metrics.OutboxPublished.WithLabelValues(m.MessageType).Inc()
		}
		if r.observe != nil {
			r.observe(m)
		}
	}
	return nil
}

// Exhausted dead-letters a commit whose effects cannot be performed
// (worker.WithExhausted). The commit itself stays in MAKO_EVENTS; an
// operator can replay it by resetting the relay consumer.
func (r *Relay) Exhausted(ctx context.Context, msg jetstream.Msg, cause error) error {
	return commits.DeadLetter(r.dlq, "effects of a committed decision failed")(ctx, msg, cause)
}
