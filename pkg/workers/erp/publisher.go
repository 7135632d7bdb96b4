package erp

import (
	"context"
	"fmt"

	"github.com/mako-engine/mako/pkg/commits"

	erpwire "github.com/mako-engine/mako/pkg/wire/erp"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Publish stores ce on `mako.erp.<tenant>` with Nats-Msg-Id = ce.ID, so
// publishing the same event again within the stream's duplicate window
// (10 min) stores it once. It waits for the stream's ack.
func Publish(ctx context.Context, js jetstream.JetStream, tenant engine.TenantID, ce erpwire.CloudEvent) error {
	if err := tenant.Validate(); err != nil {
		return fmt.Errorf("erp: publish %s: %w", ce.ID, err)
	}
	if err := ce.Validate(); err != nil {
		return err
	}
	b, err := ce.Marshal()
	if err != nil {
		return err
	}
	msg := nats.NewMsg(erpwire.Subject(tenant))
	msg.Data = b
	msg.Header.Set(erpwire.HeaderContentType, erpwire.ContentType)
	msg.Header.Set(erpwire.HeaderTenant, string(tenant))
	msg.Header.Set(erpwire.HeaderEventType, ce.Type)
	if _, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(ce.ID)); err != nil {
		return fmt.Errorf("erp: publish %s (%s) to %s: %w", ce.ID, ce.Type, msg.Subject, err)
	}
	return nil
}

// Publisher turns committed workflow events into CloudEvents: the handler
// of durable consumer "erp" on MAKO_EVENTS (run it with pkg/worker). Build
// it with NewPublisher.
//
// Before it publishes the CloudEvents of a commit it puts the business keys
// the commit binds into the registry (commits.BindKeys, the same idempotent
// step the relay performs): the ERP never sees an event — a decision
// request, say — whose answer, routed by such a key (erp.Target.Existing),
// could still find no process. It does not wait for the relay, which reads
// the same commit independently.
type Publisher struct {
	js       jetstream.JetStream
	defs     engine.Resolver
	registry engine.Registry
	dlq      *deadletter.Sink
	log      zerolog.Logger
	observe  func(erpwire.CloudEvent)
}

// PublisherOption configures a Publisher.
type PublisherOption func(*Publisher) error

// WithPublisherLogger sets the logger.
func WithPublisherLogger(l zerolog.Logger) PublisherOption {
	return func(p *Publisher) error { p.log = l; return nil }
}

// WithPublished calls f after each CloudEvent the stream acknowledged
// (including duplicates the stream ignored).
func WithPublished(f func(erpwire.CloudEvent)) PublisherOption {
	return func(p *Publisher) error { p.observe = f; return nil }
}

// NewPublisher returns a publisher decoding events with defs, binding the
// commits' business keys in registry (the engine's registry, the one the
// Receiver looks targets up in; required) and writing undecodable commits
// to dlq.
func NewPublisher(js jetstream.JetStream, defs engine.Resolver, registry engine.Registry, dlq *deadletter.Sink, opts ...PublisherOption) (*Publisher, error) {
	if registry == nil {
		return nil, fmt.Errorf("erp: publisher: %w: no registry to bind the commits' business keys in", engine.ErrNotConfigured)
	}
	p := &Publisher{js: js, defs: defs, registry: registry, dlq: dlq, log: zerolog.Nop()}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Handle implements worker.Handler for commit messages of MAKO_EVENTS. It
// binds the commit's business keys (commits.BindKeys), then publishes the
// commit's CloudEvents in event order and returns nil once all are stored;
// a commit that cannot be decoded is a permanent error (dead letter), a
// registry or publish failure is retried.
func (p *Publisher) Handle(ctx context.Context, msg jetstream.Msg) error {
	return commits.Handler(func(ctx context.Context, envs []engine.EventEnvelope) error {
		if err := commits.BindKeys(ctx, p.registry, envs); err != nil {
			return fmt.Errorf("erp: %w", err)
		}
		return commits.WorkflowEvents("erp", p.defs, envs, func(env engine.EventEnvelope, ev engine.Event) error {
			return p.publish(ctx, env, ev)
		})
	})(ctx, msg)
}

// publish publishes the CloudEvent of one workflow event, if it has one.
func (p *Publisher) publish(ctx context.Context, env engine.EventEnvelope, ev engine.Event) error {
	e, ok := ev.Data.(erpwire.Event)
	if !ok {
		return nil
	}
	ce, err := erpwire.FromEnvelope(env, e)
	if err != nil {
		return worker.Permanent(err)
	}
	if err := Publish(ctx, p.js, env.Tenant, ce); err != nil {
		return err
	}
	p.log.Debug().Str("tenant", string(env.Tenant)).Str("process", string(env.Process)).Str("type", ce.Type).Str("id", ce.ID).Msg("erp: event published")
	if p.observe != nil {
		p.observe(ce)
	}
	return nil
}

// Exhausted dead-letters a commit whose CloudEvents cannot be built
// (worker.WithExhausted). The commit stays in MAKO_EVENTS.
func (p *Publisher) Exhausted(ctx context.Context, msg jetstream.Msg, cause error) error {
	return commits.DeadLetter(p.dlq, "erp events of a committed decision failed")(ctx, msg, cause)
}
