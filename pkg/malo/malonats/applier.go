package malonats

import (
	"context"
	"errors"
	"fmt"

	"github.com/mako-engine/mako/pkg/commits"

	"github.com/mako-engine/mako/pkg/malo"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Consumer is the durable consumer of the Applier on MAKO_EVENTS
// (streams/consumers/MAKO_EVENTS-malo.json).
const Consumer = "malo"

// Applied reports one change the Applier handled.
type Applied struct {
	Tenant  engine.TenantID
	EventID engine.EventID
	Change  malo.Change
	// Fresh is false when the record had already applied the event.
	Fresh bool
}

// Applier updates master data from committed workflow events: the handler
// of durable consumer "malo" on MAKO_EVENTS (run it with pkg/worker and
// worker.WithExhausted(a.Exhausted)). For every workflow event whose data
// implements Changer it applies MaLoChange() to the record of the event's
// tenant with ApplyChange, keyed by the event id, so a redelivered commit
// changes nothing. Store failures are retried; an undecodable commit or an
// invalid change is dead-lettered (after the valid changes of the commit
// were applied).
type Applier struct {
	store   malo.Store
	defs    engine.Resolver
	dlq     *deadletter.Sink
	log     zerolog.Logger
	observe func(Applied)
}

// ApplierOption configures an Applier.
type ApplierOption func(*Applier) error

// WithApplierLogger sets the logger.
func WithApplierLogger(l zerolog.Logger) ApplierOption {
	return func(a *Applier) error { a.log = l; return nil }
}

// WithApplied calls f after each handled change.
func WithApplied(f func(Applied)) ApplierOption {
	return func(a *Applier) error { a.observe = f; return nil }
}

// NewApplier returns an applier writing to store.
func NewApplier(store malo.Store, defs engine.Resolver, dlq *deadletter.Sink, opts ...ApplierOption) (*Applier, error) {
	a := &Applier{store: store, defs: defs, dlq: dlq, log: zerolog.Nop()}
	for _, o := range opts {
		if err := o(a); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Handle implements worker.Handler for commit messages of MAKO_EVENTS.
func (a *Applier) Handle(ctx context.Context, msg jetstream.Msg) error {
	return commits.Handler(a.apply)(ctx, msg)
}

// apply applies the master data changes of one commit's workflow events.
func (a *Applier) apply(ctx context.Context, envs []engine.EventEnvelope) error {
	var invalid []error
	err := commits.WorkflowEvents("malo", a.defs, envs, func(env engine.EventEnvelope, ev engine.Event) error {
		ch, ok := ev.Data.(malo.Changer)
		if !ok {
			return nil
		}
		c := ch.MaLoChange()
		if err := c.Validate(); err != nil {
			invalid = append(invalid, fmt.Errorf("event %s (%s) of %s seq %d: %w", env.EventID, env.Type, env.Stream, env.Sequence, err))
			return nil
		}
		fresh, err := malo.ApplyChange(ctx, a.store, string(env.Tenant), string(env.EventID), c)
		if err != nil {
			if errors.Is(err, malo.ErrInvalid) {
				invalid = append(invalid, err)
				return nil
			}
			return err
		}
		a.log.Debug().Str("tenant", string(env.Tenant)).Str("malo", c.MaLo).Str("kind", string(c.Kind)).Bool("fresh", fresh).Msg("malo: change applied")
		if a.observe != nil {
			a.observe(Applied{Tenant: env.Tenant, EventID: env.EventID, Change: c, Fresh: fresh})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(invalid) > 0 {
		return worker.Permanent(fmt.Errorf("malo: invalid master data changes: %w", errors.Join(invalid...)))
	}
	return nil
}

// Exhausted dead-letters a commit whose changes cannot be applied
// (worker.WithExhausted). The commit stays in MAKO_EVENTS.
func (a *Applier) Exhausted(ctx context.Context, msg jetstream.Msg, cause error) error {
	return commits.DeadLetter(a.dlq, "master data changes of a committed decision failed")(ctx, msg, cause)
}
