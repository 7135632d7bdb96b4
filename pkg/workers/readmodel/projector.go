package readmodel

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// Streams and subject prefixes the projector reads (package streams).
const (
	eventsStream  = natsstore.DefaultEventStream // as natsstore.CommitOf
	eventsPrefix  = natsstore.DefaultSubjectPrefix
	casAttempts   = 16
	defaultGapLag = 250 * time.Millisecond
)

// ErrGap reports a commit that arrived before an earlier commit of the same
// process was projected; the handler asks for a redelivery (worker.Retry).
var ErrGap = errors.New("readmodel: an earlier commit of the process is not projected yet")

// Error is a projection failure concerning one process or message. It
// wraps the cause (errors.Is / errors.As see through it).
type Error struct {
	// Op is "project", "index" or "deadletter".
	Op string
	// Subject is the subject of the message being projected.
	Subject string
	// Sequence is its stream sequence.
	Sequence uint64
	// Err is the cause.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("readmodel: %s %s (seq %d): %v", e.Op, e.Subject, e.Sequence, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Projector builds the read models. Its handlers (HandleEvent,
// HandleDeadLetter) run under pkg/worker on the "projector" consumers of
// MAKO_EVENTS and MAKO_DLQ. Build it with NewProjector.
type Projector struct {
	js      jetstream.JetStream
	fold    folder
	log     zerolog.Logger
	gapWait time.Duration

	procs, keys, letters jetstream.KeyValue
}

// ProjectorOption configures a Projector.
type ProjectorOption func(*Projector) error

// WithLogger sets the logger.
func WithLogger(l zerolog.Logger) ProjectorOption {
	return func(p *Projector) error { p.log = l; return nil }
}

// WithGapWait sets how long a commit that arrived before its predecessor
// waits before it is redelivered (default 250 ms; d > 0).
func WithGapWait(d time.Duration) ProjectorOption {
	return func(p *Projector) error {
		if d <= 0 {
			return fmt.Errorf("readmodel: invalid option: gap wait %s, want > 0", d)
		}
		p.gapWait = d
		return nil
	}
}

// NewProjector binds the read-model buckets (they must exist: streams.Ensure
// creates them) and returns a projector decoding workflow events with defs
// (usually the *engine.Engine; nil projects engine events only and
// records workflow events as undecodable).
func NewProjector(ctx context.Context, js jetstream.JetStream, defs engine.Resolver, opts ...ProjectorOption) (*Projector, error) {
	p := &Projector{js: js, fold: folder{defs: defs}, log: zerolog.Nop(), gapWait: defaultGapLag}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	var err error
	if p.procs, err = js.KeyValue(ctx, BucketProcesses); err != nil {
		return nil, fmt.Errorf("readmodel: bucket %s: %w", BucketProcesses, err)
	}
	if p.keys, err = js.KeyValue(ctx, BucketKeys); err != nil {
		return nil, fmt.Errorf("readmodel: bucket %s: %w", BucketKeys, err)
	}
	if p.letters, err = js.KeyValue(ctx, BucketDeadLetters); err != nil {
		return nil, fmt.Errorf("readmodel: bucket %s: %w", BucketDeadLetters, err)
	}
	return p, nil
}

// LaneKey orders the events handler's lanes by process subject (worker.WithKey).
func LaneKey(m jetstream.Msg) string { return m.Subject() }

// HandleEvent projects one commit message of MAKO_EVENTS (worker.Handler).
//
// The commit is applied to the process overview only if it directly
// follows the last projected commit of the process (its first event
// sequence is the overview's event count + 1); an older commit is a
// redelivery and changes nothing; a newer one waits (worker.Retry) until
// its predecessor is projected. The overview is written with
// compare-and-set on its KV revision, after the business keys the commit
// bound were added to the index. A commit that cannot be decoded is
// recorded in the overview's projection_errors (its sequences come from the
// Mako-Seq header) and skipped; without that header it is a permanent
// error.
func (p *Projector) HandleEvent(ctx context.Context, msg jetstream.Msg) error {
	envs, md, decErr := natsstore.CommitOf(msg)
	if md == nil {
		return worker.Permanent(&Error{Op: "project", Subject: msg.Subject(), Err: decErr})
	}
	return p.project(ctx, msg.Subject(), md.Sequence.Stream, md.Timestamp, msg.Headers().Get(natsstore.HeaderSeq), envs, decErr)
}

// ProjectCommit is HandleEvent for a commit given by its subject, stream
// sequence, stream timestamp, Mako-Seq header and payload.
func (p *Projector) ProjectCommit(ctx context.Context, subject string, seq uint64, at time.Time, seqHeader string, data []byte) error {
	envs, decErr := natsstore.EnvelopesFromMsg(eventsStream, eventsPrefix, subject, seq, data)
	return p.project(ctx, subject, seq, at, seqHeader, envs, decErr)
}

// project applies a decoded commit (or records decErr, the failure to
// decode it).
func (p *Projector) project(ctx context.Context, subject string, seq uint64, at time.Time, seqHeader string, envs []engine.EventEnvelope, decErr error) error {
	fail := func(err error) error { return &Error{Op: "project", Subject: subject, Sequence: seq, Err: err} }
	stream, err := engine.StreamFromSubject(eventsPrefix, subject)
	if err != nil {
		return worker.Permanent(fail(err))
	}
	var first, last uint64
	if decErr == nil && len(envs) > 0 {
		first, last = envs[0].Sequence, envs[len(envs)-1].Sequence
	} else {
		var ok bool
		if first, last, ok = natsstore.ParseSeqHeader(seqHeader); !ok {
			if decErr == nil {
				decErr = errors.New("empty commit")
			}
			return worker.Permanent(fail(fmt.Errorf("undecodable commit without a Mako-Seq header: %w", decErr)))
		}
	}
	key := ProcessKey(string(stream.Tenant), string(stream.Process))
	for range casAttempts {
		cur, rev, err := p.load(ctx, key)
		if err != nil {
			return fail(err)
		}
		done := uint64(0)
		if cur != nil {
			done = cur.EventCount
		}
		if last <= done {
			return nil // projected before (redelivery or replay)
		}
		if first != done+1 {
			return worker.Retry(p.gapWait, fail(fmt.Errorf("%w: commit holds %d-%d, projected up to %d", ErrGap, first, last, done)))
		}
		if cur == nil {
			cur = newProcess(stream)
		}
		if decErr != nil {
			p.fold.applyBroken(cur, seq, first, last, at, decErr)
			p.log.Error().Err(decErr).Str("subject", subject).Uint64("seq", seq).Msg("projector: undecodable commit recorded in projection_errors")
		} else {
			for _, k := range p.fold.applyCommit(cur, seq, envs) {
				if err := p.index(ctx, cur.Tenant, k, cur.ProcessID); err != nil {
					return &Error{Op: "index", Subject: subject, Sequence: seq, Err: err}
				}
			}
		}
		ok, err := p.store(ctx, p.procs, key, cur, rev)
		if err != nil {
			return fail(err)
		}
		if ok {
			return nil
		}
	}
	return fail(errors.New("too many concurrent updates"))
}

// load reads a process overview; nil and revision 0 if there is none.
func (p *Projector) load(ctx context.Context, key string) (*Process, uint64, error) {
	e, err := p.procs.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	var proc Process
	if err := json.Unmarshal(e.Value(), &proc); err != nil {
		return nil, 0, fmt.Errorf("overview %s: %w", key, err)
	}
	proc.normalize()
	return &proc, e.Revision(), nil
}

// store writes v under key: Create for revision 0, else Update on rev. It
// returns false when another writer came first.
func (p *Projector) store(ctx context.Context, kv jetstream.KeyValue, key string, v any, rev uint64) (bool, error) {
	if pr, ok := v.(*Process); ok {
		pr.normalize()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return false, err
	}
	if rev == 0 {
		_, err = kv.Create(ctx, key, b)
	} else {
		_, err = kv.Update(ctx, key, b, rev)
	}
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return false, nil
	}
	return err == nil, err
}

// index adds process to the business key's entry (a sorted set).
func (p *Projector) index(ctx context.Context, tenant string, k Key, process string) error {
	key := IndexKey(tenant, k.Kind, k.Value)
	for range casAttempts {
		var entry KeyEntry
		var rev uint64
		e, err := p.keys.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			entry = KeyEntry{Tenant: tenant, Kind: k.Kind, Value: k.Value}
		case err != nil:
			return err
		default:
			if err := json.Unmarshal(e.Value(), &entry); err != nil {
				return fmt.Errorf("index entry %s: %w", key, err)
			}
			rev = e.Revision()
		}
		i, found := slices.BinarySearch(entry.Processes, process)
		if found {
			return nil
		}
		entry.Processes = slices.Insert(entry.Processes, i, process)
		ok, err := p.store(ctx, p.keys, key, entry, rev)
		if err != nil || ok {
			return err
		}
	}
	return errors.New("too many concurrent updates of " + key)
}

// HandleDeadLetter projects one message of MAKO_DLQ (worker.Handler). A
// letter that cannot be decoded is recorded with reason "undecodable" and
// the decode error as detail.
func (p *Projector) HandleDeadLetter(ctx context.Context, msg jetstream.Msg) error {
	md, err := msg.Metadata()
	if err != nil {
		return worker.Permanent(&Error{Op: "deadletter", Subject: msg.Subject(), Err: err})
	}
	return p.ProjectDeadLetter(ctx, msg.Subject(), md.Sequence.Stream, msg.Data())
}

// ProjectDeadLetter is HandleDeadLetter for a letter given by subject,
// MAKO_DLQ sequence and payload.
func (p *Projector) ProjectDeadLetter(ctx context.Context, subject string, seq uint64, data []byte) error {
	if tenant, ok := deadletter.IsActionSubject(subject); ok {
		return p.projectAction(ctx, tenant, subject, seq, data)
	}
	tenant, err := deadletter.TenantFromSubject(subject)
	if err != nil {
		return worker.Permanent(&Error{Op: "deadletter", Subject: subject, Sequence: seq, Err: errors.New("not a mako.dlq.<tenant> subject")})
	}
	d := DeadLetter{Tenant: tenant, Sequence: seq, PayloadSize: len(data)}
	if l, err := deadletter.Decode(data); err != nil {
		d.Reason, d.Detail = "undecodable", err.Error()
	} else {
		d = DeadLetter{Tenant: tenant, Sequence: seq, Reason: string(l.Reason), Detail: l.Detail, At: l.At,
			MessageType: l.Audit.MessageType, Release: l.Audit.Release, PID: l.Audit.PID, Sender: l.Audit.Sender,
			Receiver: l.Audit.Receiver, InterchangeRef: l.Audit.InterchangeRef, MessageRef: l.Audit.MessageRef,
			TransactionID: l.Audit.TransactionID, ProcessID: l.Audit.Process, Correlation: l.Audit.Correlation,
			SourceStream: l.Source.Stream, SourceSubject: l.Source.Subject, SourceSequence: l.Source.Sequence,
			PayloadSize: len(l.Payload)}
		if l.PayloadSize > 0 { // the original's size; Payload may be an excerpt
			d.PayloadSize = l.PayloadSize
		}
	}
	b, err := json.Marshal(d)
	if err != nil {
		return &Error{Op: "deadletter", Subject: subject, Sequence: seq, Err: err}
	}
	if _, err := p.letters.Create(ctx, DeadLetterKey(tenant, seq), b); err != nil && !errors.Is(err, jetstream.ErrKeyExists) {
		return &Error{Op: "deadletter", Subject: subject, Sequence: seq, Err: err}
	}
	return nil
}

// projectAction applies an operator action (deadletter.Action) to the
// letter it names: appended to Actions once (by its MAKO_DLQ sequence),
// with Status and Assignee following from it. An action that arrives
// before its letter is projected waits (worker.Retry); an undecodable one
// is a permanent error (logged and skipped).
func (p *Projector) projectAction(ctx context.Context, tenant, subject string, seq uint64, data []byte) error {
	fail := func(err error) error {
		return &Error{Op: "deadletter action", Subject: subject, Sequence: seq, Err: err}
	}
	a, err := deadletter.DecodeAction(data)
	if err != nil {
		return worker.Permanent(fail(err))
	}
	key := DeadLetterKey(tenant, a.Letter)
	for range casAttempts {
		e, err := p.letters.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			if a.Letter >= seq {
				return worker.Permanent(fail(fmt.Errorf("action names letter %d, not an earlier message", a.Letter)))
			}
			return worker.Retry(p.gapWait, fail(fmt.Errorf("letter %d not projected yet", a.Letter)))
		}
		if err != nil {
			return fail(err)
		}
		var d DeadLetter
		if err := json.Unmarshal(e.Value(), &d); err != nil {
			return worker.Permanent(fail(err))
		}
		if !applyAction(&d, seq, a) {
			return nil
		}
		ok, err := p.store(ctx, p.letters, key, d, e.Revision())
		if err != nil {
			return fail(err)
		}
		if ok {
			return nil
		}
	}
	return fail(errors.New("too many concurrent updates"))
}

// applyAction adds action a (MAKO_DLQ sequence seq) to d unless it is
// there already, keeping Actions in sequence order and deriving Status and
// Assignee from them; it reports whether d changed.
func applyAction(d *DeadLetter, seq uint64, a deadletter.Action) bool {
	for _, x := range d.Actions {
		if x.Sequence == seq {
			return false
		}
	}
	d.Actions = append(d.Actions, LetterAction{Sequence: seq, Kind: string(a.Kind), Actor: a.Actor, At: a.At,
		Reason: a.Reason, Assignee: a.Assignee, Target: a.Target})
	slices.SortFunc(d.Actions, func(x, y LetterAction) int { return cmp.Compare(x.Sequence, y.Sequence) })
	d.Status, d.Assignee = "", ""
	for _, x := range d.Actions {
		switch deadletter.ActionKind(x.Kind) {
		case deadletter.ActionRedrive:
			d.Status = LetterRedriven
		case deadletter.ActionDiscard:
			d.Status = LetterDiscarded
		case deadletter.ActionAssign:
			d.Assignee = x.Assignee
		}
	}
	return true
}

// Exhausted is the worker.ExhaustedFunc of both consumers: a message the
// projector cannot handle at all is logged and skipped (the read model is
// not the system of record; the relay dead-letters undecodable commits).
func (p *Projector) Exhausted(_ context.Context, msg jetstream.Msg, cause error) error {
	p.log.Error().Err(cause).Str("subject", msg.Subject()).Msg("projector: message skipped")
	return nil
}
