// Package processor executes commands on processes and relays the effects of
// committed decisions.
//
// Two handlers live here, both for pkg/worker:
//
//   - Processor consumes MAKO_COMMANDS (`mako.cmd.<tenant>.<process>`, a work
//     queue). It resumes the process (cached state, snapshot, tail), lets the
//     workflow decide, and commits with optimistic concurrency, retrying
//     conflicts. Commands of one process are applied one at a time and in
//     publication order, also across processor instances: a command is only
//     executed when no older command of the same process is still in the
//     work queue. A command whose id the process already committed is a
//     no-op. A command that keeps failing is dead-lettered with its reason.
//
//   - Relay consumes MAKO_EVENTS with a durable consumer and performs the
//     effects recorded as engine events of each commit, in this order:
//     business keys to the registry, deadlines to MAKO_TIMERS, outbound
//     messages to MAKO_OUTBOX (deterministic Nats-Msg-Id). It acknowledges a
//     commit only after all its effects are durable, so a processor that dies
//     between commit and effects loses nothing, and the deterministic ids make
//     a repeated relay store each effect once.
package processor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/metrics"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/refgen"
	"github.com/mako-engine/mako/pkg/trace"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// ErrEarlierPending reports that an older command of the same process is
// still in flight; the command is retried shortly.
var ErrEarlierPending = errors.New("processor: an earlier command of the process is still pending")

// Processor is the MAKO_COMMANDS handler. Build it with New.
type Processor struct {
	ec       *engine.Engine
	commands jetstream.Stream
	dlq      *deadletter.Sink
	log      zerolog.Logger
	attempts int
	gateWait time.Duration
	observe  func(id engine.ProcessIdentity, res engine.Result)
	metrics  *metrics.Metrics
	enrich   map[string]module.Enricher
	js       jetstream.JetStream
	now      func() time.Time
}

// Option configures a Processor.
type Option func(*Processor) error

// ErrInvalidOption reports an option value the processor cannot take.
var ErrInvalidOption = errors.New("processor: invalid option")

// WithLogger sets the logger.
func WithLogger(l zerolog.Logger) Option { return func(p *Processor) error { p.log = l; return nil } }

// WithRetryAttempts bounds the conflict retries per delivery (default 8;
// n > 0).
func WithRetryAttempts(n int) Option {
	return func(p *Processor) error {
		if n <= 0 {
			return fmt.Errorf("%w: retry attempts %d, want > 0", ErrInvalidOption, n)
		}
		p.attempts = n
		return nil
	}
}

// WithObserver calls f after every successful execution (metrics, tests).
func WithObserver(f func(id engine.ProcessIdentity, res engine.Result)) Option {
	return func(p *Processor) error { p.observe = f; return nil }
}

// WithEnricher runs f for the commands of the named workflow (see module.Enricher).
func WithEnricher(workflow string, f module.Enricher) Option {
	return func(p *Processor) error {
		if f == nil {
			return fmt.Errorf("%w: nil enricher for %s", ErrInvalidOption, workflow)
		}
		if p.enrich == nil {
			p.enrich = map[string]module.Enricher{}
		}
		p.enrich[workflow] = f
		return nil
	}
}

// WithMetrics records executed commands, started and completed processes
// and the ingest-to-commit latency.
func WithMetrics(m *metrics.Metrics) Option {
	return func(p *Processor) error { p.metrics = m; return nil }
}

// New returns a Processor executing through ec. js must reach MAKO_COMMANDS.
func New(ctx context.Context, js jetstream.JetStream, ec *engine.Engine, dlq *deadletter.Sink, opts ...Option) (*Processor, error) {
	st, err := js.Stream(ctx, command.Stream)
	if err != nil {
		return nil, fmt.Errorf("processor: stream %s: %w", command.Stream, err)
	}
	p := &Processor{ec: ec, commands: st, dlq: dlq, log: zerolog.Nop(), attempts: 8, gateWait: 20 * time.Second, js: js, now: time.Now}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Key orders the processor's lanes by process subject (worker.WithKey).
func Key(m jetstream.Msg) string { return m.Subject() }

// Handle implements worker.Handler.
func (p *Processor) Handle(ctx context.Context, msg jetstream.Msg) error {
	a, err := command.Decode(msg.Subject(), msg.Headers(), msg.Data())
	if err != nil {
		return worker.Permanent(err)
	}
	err = p.handle(ctx, msg, a)
	var ev *zerolog.Event
	switch {
	case err == nil:
		ev = p.log.Debug()
	case worker.IsPermanent(err):
		ev = p.log.Error().Err(err)
	default:
		ev = p.log.Warn().Err(err)
	}
	if ev.Enabled() { // fields are built only for lines that are written
		ev.Str("tenant", string(a.Identity.Tenant)).Str("process", string(a.Identity.Process)).
			Str("workflow", a.Identity.Workflow.String()).Str("command", string(a.CommandID)).
			Str("correlation", msg.Headers().Get(command.HeaderCorrelation)).
			Str("trace_id", trace.TraceID(msg.Headers().Get(command.HeaderTraceParent)))
		switch {
		case err == nil:
			ev.Msg("processor: command executed")
		case worker.IsPermanent(err):
			ev.Msg("processor: command refused; dead-lettering")
		default:
			ev.Msg("processor: command failed; will retry")
		}
	}
	return err
}

func (p *Processor) handle(ctx context.Context, msg jetstream.Msg, a command.Addressed) error {
	md, err := msg.Metadata()
	if err != nil {
		return worker.Permanent(fmt.Errorf("processor: %s: metadata: %w", msg.Subject(), err))
	}
	// The first command of a process its publisher has just spawned has no
	// predecessor to wait for: nobody else knew the process id before.
	if !a.NewProcess {
		if err := p.gate(ctx, msg, md.Sequence.Stream); err != nil {
			return err
		}
	}
	def, err := p.ec.Resolve(a.Identity.Workflow)
	if err != nil {
		return worker.Permanent(fmt.Errorf("processor: %s: %w", a.Identity, err))
	}
	var res engine.Result
	if a.CommandType == engine.EventDeadlineFired {
		fired, err := command.DecodeFired(a.Body)
		if err != nil {
			return worker.Permanent(err)
		}
		res, err = p.ec.FireDeadline(ctx, a.Identity, fired)
		if err != nil {
			return classify(a, err)
		}
	} else {
		cmd, err := def.Codec().UnmarshalCommand(a.Body)
		if err != nil {
			return worker.Permanent(fmt.Errorf("processor: %s: command %s: %w", a.Identity, a.CommandID, err))
		}
		if f := p.enrich[a.Identity.Workflow.Name]; f != nil {
			id, at := cmd.ID, cmd.ReceivedAt
			if err := f(ctx, a.Identity, &cmd); err != nil {
				return classify(a, fmt.Errorf("enrich: %w", err))
			}
			if cmd.ID != id || !cmd.ReceivedAt.Equal(at) {
				return worker.Permanent(fmt.Errorf("processor: %s: enricher changed the id or time of command %s", a.Identity, a.CommandID))
			}
		}
		// Answers are dated with their creation time, not the receipt time.
		cmd.PreparedAt = p.now()
		if a.NewProcess {
			// Just spawned: decide on the initial state without reading
			// the stores; a wrong belief only costs a conflict and a reload.
			if err := p.ec.AssumeNew(a.Identity); err != nil {
				return classify(a, err)
			}
		}
		res, err = p.ec.Execute(ctx, a.Identity, cmd, engine.Retry(p.attempts))
		if err != nil {
			p.refused(err)
			return classify(a, err)
		}
	}
	p.record(a, md, res)
	if p.observe != nil {
		p.observe(a.Identity, res)
	}
	return nil
}

// refused counts a decision refused because its outbound message would have
// violated the AHB (an ahb.Refusal, e.g. *gpke.NonConformantError): the
// alert metric mako_ahb_refused_total{direction="outbound"}. The command is
// dead-lettered like any refused decision (classify).
func (p *Processor) refused(err error) {
	var r ahb.Refusal
	if p.metrics == nil || !errors.As(err, &r) {
		return
	}
	for _, pid := range r.RefusedPIDs() {
		p.metrics.AHBRefused.WithLabelValues(metrics.DirectionOutbound, pid).Inc()
	}
}

// record updates the metrics after a successful execution, from what the
// engine returns: the committed envelopes' sequences, the fired deadline and
// the decision's typed workflow events (engine.Result).
func (p *Processor) record(a command.Addressed, md *jetstream.MsgMetadata, res engine.Result) {
	if p.metrics == nil {
		return
	}
	wf := a.Identity.Workflow.Name
	if res.Duplicate {
		p.metrics.CommandsExecuted.WithLabelValues(wf, "duplicate").Inc()
		return
	}
	p.metrics.CommandsExecuted.WithLabelValues(wf, "committed").Inc()
	p.metrics.IngestToCommit.Observe(time.Since(md.Timestamp).Seconds())
	family := metrics.Family(wf)
	if len(res.Envelopes) > 0 && res.Envelopes[0].Sequence == 1 {
		p.metrics.ProcessesInitiated.WithLabelValues(family).Inc()
	}
	if res.Fired != nil {
		p.metrics.DeadlinesFired.WithLabelValues(res.Fired.Label).Inc()
	}
	// The typed events of the decision: nothing is decoded again.
	for _, ev := range res.Decided {
		if o, ok := ev.(module.Outcome); ok {
			p.metrics.ProcessesCompleted.WithLabelValues(family, o.ProcessOutcome()).Inc()
		}
		if a, ok := ev.(module.AperakAlert); ok {
			p.metrics.AperakMissed.WithLabelValues(a.AperakMissed()).Inc()
		}
	}
}

// classify names the command an execution error concerns and sorts it for
// the worker (worker.Classify: refused, undecodable or invalid → permanent;
// conflicts, store and broker failures → transient; else counted).
func classify(a command.Addressed, err error) error {
	return worker.Classify(fmt.Errorf("processor: %s: command %s: %w", a.Identity, a.CommandID, err))
}

// gate waits until msg is the oldest command of its process in the work
// queue. Within one instance the worker's per-key lanes already keep the
// order, so the wait is short; across instances it waits for the other
// instance to finish, telling the server the message is in progress.
func (p *Processor) gate(ctx context.Context, msg jetstream.Msg, seq uint64) error {
	deadline := time.Now().Add(p.gateWait)
	delay := 2 * time.Millisecond
	for {
		first, err := p.commands.GetMsg(ctx, 1, jetstream.WithGetMsgSubject(msg.Subject()))
		if err != nil {
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				return nil
			}
			return worker.Transient(fmt.Errorf("processor: order check on %s: %w", msg.Subject(), err))
		}
		if first.Sequence >= seq {
			return nil
		}
		if time.Now().After(deadline) {
			return worker.Retry(time.Second, fmt.Errorf("%w: %s (oldest %d, this %d)", ErrEarlierPending, msg.Subject(), first.Sequence, seq))
		}
		_ = msg.InProgress()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 200*time.Millisecond)
	}
}

// Exhausted dead-letters a command that will not be retried
// (worker.WithExhausted). For a received EDIFACT transaction the letter
// carries its audit context (message type, release, PID, sender, receiver,
// references), and — unless it is itself an APERAK or CONTRL — its sender
// gets an APERAK 313 first (answerFailure): whatever made the workflow fail
// or its answer impossible, the sender hears of it, and the operator is
// alerted (mako_failure_answer_total).
func (p *Processor) Exhausted(ctx context.Context, msg jetstream.Msg, cause error) error {
	a, tx, received := inboundTransaction(msg)
	answered := ""
	if received && tx.MessageType != catalog.APERAK && tx.MessageType != catalog.CONTRL {
		note, err := p.answerFailure(ctx, a, tx)
		if err != nil {
			return err // the outbox is unavailable: retried, the letter waits for the answer
		}
		answered = note
	}
	// The one dead-letter path (worker.DeadLetter), with the transaction's
	// audit context and the answer's note added.
	return worker.DeadLetter(p.dlq, command.Stream, func(msg jetstream.Msg, cause error) deadletter.Letter {
		l := commandLetter(msg, cause)
		if received {
			l.Audit.MessageType, l.Audit.Release, l.Audit.PID = tx.MessageType, tx.Release, tx.PID
			l.Audit.Sender, l.Audit.Receiver, l.Audit.InterchangeRef = tx.Sender, tx.Receiver, tx.InterchangeRef
			l.Audit.MessageRef, l.Audit.TransactionID = tx.MessageRef, tx.TransactionID
		}
		if answered != "" {
			l.Detail += "; " + answered
		}
		return l
	})(ctx, msg, cause)
}

// commandLetter describes the dead letter of a command: the cause, the
// addressing headers and the encoded command.
func commandLetter(msg jetstream.Msg, cause error) deadletter.Letter {
	h := msg.Headers()
	return deadletter.Letter{
		Reason:  deadletter.ReasonProcessing,
		Detail:  cause.Error(),
		Audit:   deadletter.Audit{Tenant: h.Get(command.HeaderTenant), Process: h.Get(command.HeaderProcess), Correlation: h.Get(command.HeaderCorrelation)},
		Payload: msg.Data(),
	}
}

// inboundTransaction returns the received transaction msg carries, if it
// carries one.
func inboundTransaction(msg jetstream.Msg) (command.Addressed, inbound.Transaction, bool) {
	a, err := command.Decode(msg.Subject(), msg.Headers(), msg.Data())
	if err != nil || a.CommandType != inbound.CommandType {
		return a, inbound.Transaction{}, false
	}
	// Whatever workflow it was addressed to, the received transaction
	// decodes with a codec that knows only it.
	cmd, err := engine.NewCodec().Command(inbound.Transaction{}).UnmarshalCommand(a.Body)
	if err != nil {
		return a, inbound.Transaction{}, false
	}
	tx, ok := cmd.Payload.(inbound.Transaction)
	return a, tx, ok
}

// answerFailure sends the sender of tx the APERAK 313 built by
// aperak.Fallback (Z35 for an unreadable value, else FailureCode), dated
// now, with a reference derived from the command id (a repeated call
// stores it once within the outbox's duplicate window). It returns a note
// for the dead letter, and an error only when the outbox could not be
// written.
func (p *Processor) answerFailure(ctx context.Context, a command.Addressed, tx inbound.Transaction) (string, error) {
	alert := func(code string) {
		if p.metrics != nil {
			p.metrics.FailureAnswers.WithLabelValues("processor", code).Inc()
		}
	}
	ix, m, err := tx.Parse()
	if err != nil {
		alert("none")
		return "no APERAK sent: " + err.Error(), nil
	}
	at := p.now()
	v, err := fv.Resolve(at) // the format version in force when the answer is made
	if err != nil {
		if v, err = fv.Parse(tx.FormatVersion); err != nil {
			v = a.Identity.Workflow.FormatVersion
		}
	}
	var unit *edifact.Transaction
	for _, u := range edifact.Transactions(m) {
		if u.ID == tx.TransactionID {
			unit = &u
			break
		}
	}
	ref := refgen.Ref("F", string(a.CommandID))
	out, pr, _, err := aperak.Fallback(ix, m, unit, v, ref, at, aperak.Problem{Code: FailureCode})
	if err == nil {
		err = ahb.Conform(out, v, false) // never an answer its APERAK AHB rejects
	}
	if err != nil {
		alert("none")
		return "no APERAK sent, not even the fallback: " + err.Error(), nil
	}
	if _, err := outbox.Publish(ctx, p.js, outbox.Message{
		ID: "aperak." + string(a.Identity.Tenant) + "." + ref, Tenant: string(a.Identity.Tenant), Sender: tx.Receiver, Recipient: tx.Sender,
		MessageType: catalog.APERAK, Process: string(a.Identity.Process), InterchangeRef: ref, Payload: out,
	}); err != nil {
		return "", fmt.Errorf("processor: %s: answer the failed command %s: %w", a.Identity, a.CommandID, err)
	}
	alert(pr.Code)
	return fmt.Sprintf("answered with APERAK 313 %s (%s)", pr.Code, ref), nil
}

// FailureCode is the ERC code of the APERAK 313 a received transaction gets
// when its workflow failed on it for a reason no check named (edifact.md
// §11.5: Z29, data required for this use case missing — the transaction
// could not be processed as sent). An unreadable value is answered Z35
// instead (aperak.FaultyValue). Which code BDEW expects for such a failure
// is unverified.
const FailureCode = "Z29"
