// Package commits is the skeleton every consumer of committed decisions on
// MAKO_EVENTS shares — the effect relay, the projector, the ERP publisher and
// the master-data applier: decoding a commit message, decoding its workflow
// events with their workflow's definition, binding its business keys, the
// lane keys, the retry policy and the dead letter of a commit that cannot
// be handled.
//
// A commit consumer never loses a commit: failures of the stores or the
// broker are retried with backoff however long they last (the commit stays
// in MAKO_EVENTS); only a commit that cannot be decoded or handled at all is
// dead-lettered, with the commit's tenant, process and correlation.
package commits

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Stream is the stream of committed decisions (the event store's).
const Stream = natsstore.DefaultEventStream

// Handler returns the worker.Handler that decodes a commit message
// (natsstore.CommitOf) and hands its events, in commit order, to f. A
// commit that cannot be decoded is a permanent failure.
func Handler(f func(ctx context.Context, envs []engine.EventEnvelope) error) worker.Handler {
	return func(ctx context.Context, msg jetstream.Msg) error {
		envs, _, err := natsstore.CommitOf(msg)
		if err != nil {
			return worker.Permanent(err)
		}
		return f(ctx, envs)
	}
}

// WorkflowEvents calls f for every workflow event of a commit (engine
// events are skipped), decoded with its workflow's definition from defs. A
// workflow defs does not know or an event it cannot decode is a permanent
// failure, named with what ("erp", "malo").
func WorkflowEvents(what string, defs engine.Resolver, envs []engine.EventEnvelope, f func(env engine.EventEnvelope, ev engine.Event) error) error {
	for _, env := range envs {
		if env.IsEngineEvent() {
			continue
		}
		def, err := defs.Resolve(env.Workflow)
		if err != nil {
			return worker.Permanent(fmt.Errorf("%s: %s seq %d: %w", what, env.Stream, env.Sequence, err))
		}
		ev, err := def.DecodeEvent(env)
		if err != nil {
			return worker.Permanent(fmt.Errorf("%s: %w", what, err))
		}
		if err := f(env, ev); err != nil {
			return err
		}
	}
	return nil
}

// BindKeys puts the business keys a commit binds (its "mako.key.bound"
// engine events, engine.KeyBound) into registry: each is correlated with
// the commit's process (Registry.Correlate), in commit order. Binding is
// idempotent — the index entry of a key and a process is the same however
// often it is written — so every consumer that must not act on a commit
// before its keys resolve calls BindKeys first: the relay before it sends
// the commit's outbound messages, the ERP publisher before it publishes the
// commit's CloudEvents (an answer routed by such a key then always finds
// the process). A key event that cannot be decoded is a permanent failure;
// a registry failure is returned as is (retried).
func BindKeys(ctx context.Context, registry engine.Registry, envs []engine.EventEnvelope) error {
	if len(envs) == 0 {
		return nil
	}
	id := engine.ProcessIdentity{Tenant: envs[0].Tenant, Process: envs[0].Process, Workflow: envs[0].Workflow}
	for _, env := range envs {
		if env.Type != engine.EventKeyBound {
			continue
		}
		v, err := engine.DecodeEngineEvent(env)
		if err != nil {
			return worker.Permanent(fmt.Errorf("bind keys: %w", err))
		}
		k := v.(*engine.KeyBound)
		if err := registry.Correlate(ctx, id.Tenant, engine.BusinessKey{Kind: k.Kind, Value: k.Value}, id); err != nil {
			return fmt.Errorf("bind keys: %s: correlate %s=%s: %w", id, k.Kind, k.Value, err)
		}
	}
	return nil
}

// Letter returns the description of the dead letter of a commit that will
// not be handled (worker.DeadLetter): reason processing, detail
// "<failed>: <cause>", and the commit's tenant (from the Mako-Tenant header,
// else the subject), process and correlation.
func Letter(failed string) worker.Describe {
	return func(msg jetstream.Msg, cause error) deadletter.Letter {
		h := msg.Headers()
		tenant := h.Get(natsstore.HeaderTenant)
		if tenant == "" {
			if s, err := engine.StreamFromSubject(natsstore.DefaultSubjectPrefix, msg.Subject()); err == nil {
				tenant = string(s.Tenant)
			}
		}
		return deadletter.Letter{
			Reason: deadletter.ReasonProcessing, Detail: failed + ": " + strings.TrimSpace(cause.Error()),
			Audit: deadletter.Audit{Tenant: tenant, Process: h.Get(natsstore.HeaderProcess), Correlation: h.Get(natsstore.HeaderCorrelation)},
		}
	}
}

// DeadLetter returns the Exhausted callback of a commit consumer: the
// commit is dead-lettered as Letter(failed) describes; it stays in
// MAKO_EVENTS.
func DeadLetter(w worker.LetterWriter, failed string) worker.ExhaustedFunc {
	return worker.DeadLetter(w, Stream, Letter(failed))
}

// BySubject keys lanes by process (the commit's subject
// mako.evt.<tenant>.<process>): the commits of one process in order.
func BySubject(m jetstream.Msg) string { return m.Subject() }

// ByTenant keys lanes by tenant (mako.evt.<tenant>.…): the commits of one
// tenant in order.
func ByTenant(m jetstream.Msg) string {
	parts := strings.SplitN(m.Subject(), ".", 4)
	if len(parts) >= 3 {
		return parts[2]
	}
	return m.Subject()
}

// Options returns the worker options every commit consumer shares besides
// its own: concurrency lanes ordered by key, deliveries without bound (a
// commit is retried however long the stores are down; a lost ack only
// redelivers a commit whose effects are idempotent), a backoff of 100 ms up
// to 10 s, the logger and the Exhausted callback.
func Options(concurrency int, key worker.KeyFunc, log zerolog.Logger, exhausted worker.ExhaustedFunc) []worker.Option {
	return []worker.Option{
		worker.WithConcurrency(concurrency),
		worker.WithKey(key),
		worker.WithMaxDeliver(1 << 30),
		worker.WithBackoff(100*time.Millisecond, 10*time.Second),
		worker.WithLogger(log),
		worker.WithExhausted(exhausted),
	}
}
