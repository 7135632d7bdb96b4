package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// seqRange is the first and last sequence committed by one command.
type seqRange struct{ From, To uint64 }

// loaded is a process folded up to version: the workflow state plus the
// engine's own state (seen command ids, open deadlines). It is what the
// cache and snapshots hold.
type loaded struct {
	def         runner
	state       any
	version     uint64
	commands    map[CommandID]seqRange
	order       []CommandID // ids of commands in commit order, from head
	head        int
	window      int // how many command ids to remember; 0 = all
	deadlines   deadlineBook
	snapVersion uint64 // version of the last snapshot taken or loaded
	broken      bool   // a committed event could not be folded: never cache
}

func newLoaded(r runner, window int) *loaded {
	return &loaded{def: r, state: r.initial(), commands: map[CommandID]seqRange{}, deadlines: deadlineBook{}, window: window}
}

// remember records that command id committed the event at seq, and forgets
// the oldest command ids beyond the window.
func (l *loaded) remember(id CommandID, seq uint64) {
	r, ok := l.commands[id]
	if !ok {
		r.From = seq
		l.order = append(l.order, id)
	}
	r.To = seq
	l.commands[id] = r
	if l.window <= 0 {
		return
	}
	for len(l.order)-l.head > l.window {
		delete(l.commands, l.order[l.head])
		l.order[l.head] = ""
		l.head++
	}
	if l.head >= 64 && 2*l.head >= len(l.order) {
		l.order = append([]CommandID(nil), l.order[l.head:]...)
		l.head = 0
	}
}

// fold applies one committed envelope. Engine events update the engine
// state; workflow events are decoded (and upcast) and applied.
func (l *loaded) fold(env EventEnvelope) error {
	if env.Sequence != l.version+1 {
		return &DecodeError{Stream: env.Stream, Sequence: env.Sequence, Type: env.Type, SchemaVersion: env.SchemaVersion,
			Err: fmt.Errorf("sequence gap: expected %d", l.version+1)}
	}
	if env.IsEngineEvent() {
		// Only deadline events change the engine state; other engine events
		// (outbound, keys, and types of newer engines) do not.
		if err := l.deadlines.fold(env); err != nil {
			return err
		}
	} else {
		ev, err := l.def.DecodeEvent(env)
		if err != nil {
			return err
		}
		if err := l.apply(env, ev); err != nil {
			return err
		}
	}
	l.version = env.Sequence
	if env.CommandID != "" {
		l.remember(env.CommandID, env.Sequence)
	}
	return nil
}

// apply runs the workflow's Apply; a panic becomes a *DecodeError naming
// the event.
func (l *loaded) apply(env EventEnvelope, ev Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &DecodeError{Stream: env.Stream, Sequence: env.Sequence, Type: env.Type, SchemaVersion: env.SchemaVersion,
				Err: fmt.Errorf("workflow %s: Apply panicked: %v", l.def.ID(), r)}
		}
	}()
	l.state = l.def.apply(l.state, ev)
	return nil
}

// snapshotBody is the engine's encoding of a loaded process in a Snapshot.
type snapshotBody struct {
	Workflow  WorkflowID
	State     msgpack.RawMessage
	Commands  []snapCommand
	Deadlines []openDeadline
}

type snapCommand struct {
	_msgpack struct{} `msgpack:",as_array"`
	ID       CommandID
	From, To uint64
}

func (l *loaded) snapshot(s StreamID) (Snapshot, error) {
	st, err := l.def.encodeState(l.state)
	if err != nil {
		return Snapshot{}, err
	}
	body := snapshotBody{Workflow: l.def.ID(), State: st, Commands: make([]snapCommand, 0, len(l.commands))}
	for _, id := range l.order[l.head:] {
		r := l.commands[id]
		body.Commands = append(body.Commands, snapCommand{ID: id, From: r.From, To: r.To})
	}
	for _, d := range l.deadlines {
		body.Deadlines = append(body.Deadlines, d)
	}
	b, err := msgpack.Marshal(body)
	if err != nil {
		return Snapshot{}, err
	}
	return Snapshot{Stream: s, Sequence: l.version, SchemaVersion: l.def.stateSchemaVersion(), State: b}, nil
}

func restore(r runner, window int, snap Snapshot) (*loaded, error) {
	var body snapshotBody
	if err := unmarshalStrict(snap.State, &body); err != nil {
		return nil, err
	}
	st, err := r.decodeState(body.State)
	if err != nil {
		return nil, err
	}
	l := newLoaded(r, window)
	l.state, l.version, l.snapVersion = st, snap.Sequence, snap.Sequence
	for _, c := range body.Commands { // in commit order
		l.remember(c.ID, c.From)
		l.remember(c.ID, c.To)
	}
	for _, d := range body.Deadlines {
		d.Due = d.Due.UTC()
		l.deadlines[d.ID] = d
	}
	return l, nil
}

// load rebuilds a process from the stores: from its snapshot (if useSnapshot,
// a store is configured and the state schema version matches) plus the tail,
// else by full replay.
func (ec *Engine) load(ctx context.Context, r runner, s StreamID, useSnapshot bool) (*loaded, error) {
	var l *loaded
	if useSnapshot && ec.snapshots != nil {
		snap, ok, err := ec.snapshots.Load(ctx, s)
		switch {
		case err != nil:
			ec.log.Warn().Err(err).Str("stream", s.String()).Msg("engine: snapshot load failed; full replay")
		case ok && snap.SchemaVersion == r.stateSchemaVersion():
			if l, err = restore(r, ec.commandWindow, snap); err != nil {
				ec.log.Warn().Err(err).Str("stream", s.String()).Uint64("seq", snap.Sequence).Msg("engine: snapshot undecodable; full replay")
				l = nil
			}
		}
	}
	if l == nil {
		l = newLoaded(r, ec.commandWindow)
	}
	if err := ec.events.Fold(ctx, s, l.version, l.fold); err != nil {
		return nil, err
	}
	return l, nil
}

// execute runs one attempt of cmd (or of a fired deadline) against the
// process, on cached state unless reload is set.
func (ec *Engine) execute(ctx context.Context, r runner, id ProcessIdentity, cmd Command, fired *DeadlineFired, reload bool) (Result, error) {
	if err := id.Validate(); err != nil {
		return Result{}, err
	}
	if id.Workflow.Name != r.ID().Name {
		return Result{}, fmt.Errorf("%w: process %s runs %s, not %s", ErrUnknownWorkflow, id.Stream(), id.Workflow, r.ID())
	}
	if r.ID().FormatVersion.Compare(id.Workflow.FormatVersion) != 0 && !r.Policy().Accepts(id.Workflow.FormatVersion, r.ID().FormatVersion) {
		return Result{}, fmt.Errorf("%w: %s (%s) cannot run a process created under %s", ErrVersionRejected, r.ID(), r.Policy(), id.Workflow.FormatVersion)
	}
	if fired == nil {
		if err := checkCommand(&cmd); err != nil {
			return Result{}, err
		}
		if !cmd.FormatVersion.IsZero() && !r.Policy().Accepts(id.Workflow.FormatVersion, cmd.FormatVersion) {
			return Result{}, fmt.Errorf("%w: process %s created under %s (%s) got a %s command", ErrVersionRejected,
				id.Stream(), id.Workflow.FormatVersion, r.Policy(), cmd.FormatVersion)
		}
	}
	s := id.Stream()
	unlock := ec.locks.lock(s)
	defer unlock()

	var l *loaded
	if !reload {
		if c := ec.cache.get(s); c != nil && c.def == r {
			l = c
		}
	}
	fresh := l == nil
	for {
		if l == nil {
			var err error
			if l, err = ec.load(ctx, r, s, true); err != nil {
				ec.cache.evict(s)
				return Result{}, err
			}
		}
		res, committed, err := ec.attempt(ctx, l, id, cmd, fired)
		if err == nil {
			switch {
			case l.broken:
				ec.cache.evict(s)
			case committed || fresh:
				ec.cache.put(s, l)
			}
			return res, nil
		}
		ec.cache.evict(s)
		var ce *ConflictError
		if !errors.As(err, &ce) || fresh {
			return Result{}, err
		}
		// The cached state was stale: reload once and decide again.
		l, fresh = nil, true
	}
}

func checkCommand(cmd *Command) error {
	switch {
	case cmd.ID == "":
		return fmt.Errorf("%w: command without ID", ErrInvalidArgument)
	case cmd.ReceivedAt.IsZero():
		return fmt.Errorf("%w: command %s without ReceivedAt", ErrInvalidArgument, cmd.ID)
	case cmd.Payload == nil:
		return fmt.Errorf("%w: command %s without payload", ErrInvalidArgument, cmd.ID)
	case cmd.Type == "":
		cmd.Type = cmd.Payload.CommandType()
	case cmd.Type != cmd.Payload.CommandType():
		return fmt.Errorf("%w: command %s: type %q but payload is %q", ErrInvalidArgument, cmd.ID, cmd.Type, cmd.Payload.CommandType())
	}
	return nil
}

var errStop = errors.New("stop")

// attempt decides and commits once. committed reports whether l advanced.
func (ec *Engine) attempt(ctx context.Context, l *loaded, id ProcessIdentity, cmd Command, fired *DeadlineFired) (res Result, committed bool, err error) {
	s := id.Stream()
	if rg, ok := l.commands[cmd.ID]; ok {
		envs := make([]EventEnvelope, 0, rg.To-rg.From+1)
		err := ec.events.Fold(ctx, s, rg.From-1, func(e EventEnvelope) error {
			if e.Sequence > rg.To {
				return errStop
			}
			if e.CommandID == cmd.ID {
				envs = append(envs, e)
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			return Result{}, false, err
		}
		return Result{Envelopes: envs, Duplicate: true, Version: l.version}, false, nil
	}
	var firedEv *DeadlineFired
	if fired != nil {
		open, ok := l.deadlines[fired.ID]
		if !ok {
			return Result{Version: l.version}, false, nil
		}
		f := DeadlineFired{ID: open.ID, Label: open.Label, Due: open.Due, FiredAt: fired.FiredAt.UTC(), By: fired.By, Reason: fired.Reason}
		firedEv = &f
		cmd.Correlation, cmd.Conversation = open.Correlation, open.Conversation
		payload, err := ec.call(l, s, func() (CommandData, error) { return l.def.onDeadline(l.state, f) })
		if err != nil {
			return Result{}, false, err
		}
		cmd.Payload = payload
		if payload != nil {
			cmd.Type = payload.CommandType()
		}
	}
	var dec Decision
	if cmd.Payload != nil {
		dec, err = ec.decide(l, s, cmd)
		if err != nil {
			return Result{}, false, err
		}
	}
	events, err := buildEvents(l, id, cmd, dec, firedEv)
	if err != nil {
		return Result{}, false, err
	}
	if len(events) == 0 {
		return Result{Version: l.version}, false, nil
	}
	envs, err := ec.events.Append(ctx, s, Exact(l.version), events)
	if err != nil {
		return Result{}, false, err
	}
	if !sameCommit(l.version, events, envs) {
		// The store answered with a commit of this command it already held
		// (the NATS store: same Nats-Msg-Id) that is not the one decided
		// here: the command was committed before, through another engine,
		// and l is stale. Nothing was appended; report the duplicate and
		// reload on the next command.
		l.broken = true
		return Result{Envelopes: envs, Duplicate: true, Version: envs[len(envs)-1].Sequence}, false, nil
	}
	for _, e := range envs {
		if err := l.fold(e); err != nil {
			// Committed but not foldable (a workflow bug): report the commit,
			// and make the next command reload and surface the error.
			l.broken = true
			ec.log.Error().Err(err).Str("stream", s.String()).Msg("engine: committed event cannot be folded")
			return Result{Envelopes: envs, Version: envs[len(envs)-1].Sequence, Decided: dec.Events, Fired: firedEv}, false, nil
		}
	}
	ec.maybeSnapshot(ctx, l, s)
	return Result{Envelopes: envs, Version: l.version, Decided: dec.Events, Fired: firedEv}, true, nil
}

// sameCommit reports whether envs, returned by an append on version, are
// the events built for it: right after version, same types and payloads. A
// store returns other envelopes only for a commit of the same command it
// already held. (A stale engine that decided exactly as the first commit
// did is indistinguishable from its own commit whose ack was lost; either
// way nothing was appended twice.)
func sameCommit(version uint64, events []NewEvent, envs []EventEnvelope) bool {
	if len(envs) != len(events) || len(envs) == 0 || envs[0].Sequence != version+1 {
		return false
	}
	for i := range envs {
		if envs[i].Type != events[i].Type || !bytes.Equal(envs[i].Payload, events[i].Payload) {
			return false
		}
	}
	return true
}

func (ec *Engine) call(l *loaded, s StreamID, fn func() (CommandData, error)) (p CommandData, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &DecisionError{Stream: s, Workflow: l.def.ID(), Type: EventDeadlineFired, Err: fmt.Errorf("OnDeadline panicked: %v", r)}
		}
	}()
	p, err = fn()
	if err != nil {
		err = &DecisionError{Stream: s, Workflow: l.def.ID(), Type: EventDeadlineFired, Err: fmt.Errorf("on deadline: %w", err)}
	}
	return p, err
}

// decide calls Handle; a panic becomes an error.
func (ec *Engine) decide(l *loaded, s StreamID, cmd Command) (d Decision, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &DecisionError{Stream: s, Workflow: l.def.ID(), Command: cmd.ID, Type: cmd.Type, Err: fmt.Errorf("Handle panicked: %v", r)}
		}
	}()
	d, err = l.def.handle(l.state, cmd)
	if err != nil {
		err = &DecisionError{Stream: s, Workflow: l.def.ID(), Command: cmd.ID, Type: cmd.Type, Err: err}
	}
	return d, err
}

// buildEvents turns a decision into the events of one append: workflow
// events first, then engine events (fired deadline, outbound messages,
// cancelled deadlines, set deadlines, bound keys).
func buildEvents(l *loaded, id ProcessIdentity, cmd Command, d Decision, fired *DeadlineFired) ([]NewEvent, error) {
	n := len(d.Events) + len(d.Outbound) + len(d.SetDeadlines) + len(d.CancelDeadlines) + len(d.Correlate)
	if fired != nil {
		n++
	}
	if n == 0 {
		return nil, nil
	}
	events := make([]NewEvent, 0, n)
	add := func(typ string, version int, payload []byte) {
		events = append(events, NewEvent{
			EventID: EventIDFor(id.Process, cmd.ID, len(events)), Tenant: id.Tenant, Process: id.Process, Workflow: id.Workflow,
			Type: typ, SchemaVersion: version, Correlation: cmd.Correlation, Causation: cmd.Causation,
			Conversation: cmd.Conversation, CommandID: cmd.ID, TraceParent: cmd.TraceParent, Payload: payload,
		})
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: process %s: command %s: invalid decision: %s", ErrInvalidArgument, id.Stream(), cmd.ID, fmt.Sprintf(format, a...))
	}
	codec := l.def.Codec()
	for _, ev := range d.Events {
		typ, v, p, err := codec.EncodeEvent(ev)
		if err != nil {
			return nil, bad("%v", err)
		}
		add(typ, v, p)
	}
	engineEvent := func(typ string, payload any) error {
		b, err := msgpack.Marshal(payload)
		if err != nil {
			return bad("encode %s: %v", typ, err)
		}
		add(typ, EngineEventSchemaVersion, b)
		return nil
	}
	if fired != nil {
		if err := engineEvent(EventDeadlineFired, fired); err != nil {
			return nil, err
		}
	}
	for i, o := range d.Outbound {
		if o.Recipient == "" || o.MessageType == "" {
			return nil, bad("outbound %d needs Recipient and MessageType", i)
		}
		m := OutboundMessage{MessageID: MessageIDFor(id.Process, cmd.ID, i), Recipient: o.Recipient, Sender: o.Sender,
			MessageType: o.MessageType, InterchangeRef: o.InterchangeRef, Payload: o.Payload, Headers: o.Headers}
		if err := engineEvent(EventOutbound, m); err != nil {
			return nil, err
		}
	}
	for _, label := range d.CancelDeadlines {
		var ids []DeadlineID
		for did, open := range l.deadlines {
			if open.Label == label && (fired == nil || did != fired.ID) {
				ids = append(ids, did)
			}
		}
		slices.Sort(ids)
		for _, did := range ids {
			if err := engineEvent(EventDeadlineCancelled, DeadlineCancelled{ID: did, Label: label}); err != nil {
				return nil, err
			}
		}
	}
	for i, dl := range d.SetDeadlines {
		if dl.Label == "" || dl.Due.IsZero() {
			return nil, bad("deadline %d needs Label and Due", i)
		}
		set := DeadlineSet{ID: DeadlineIDFor(id.Process, cmd.ID, i), Label: dl.Label, Due: dl.Due.UTC()}
		if err := engineEvent(EventDeadlineSet, set); err != nil {
			return nil, err
		}
	}
	for _, k := range d.Correlate {
		if err := k.Validate(); err != nil {
			return nil, bad("%v", err)
		}
		if err := engineEvent(EventKeyBound, KeyBound(k)); err != nil {
			return nil, err
		}
	}
	return events, nil
}

// maybeSnapshot saves a snapshot when the interval has passed. Failures are
// logged and never fail the command.
func (ec *Engine) maybeSnapshot(ctx context.Context, l *loaded, s StreamID) {
	if ec.snapshots == nil || ec.snapInterval <= 0 || l.version-l.snapVersion < uint64(ec.snapInterval) {
		return
	}
	snap, err := l.snapshot(s)
	if err == nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err = ec.snapshots.Save(sctx, snap)
		cancel()
	}
	if err != nil {
		ec.log.Warn().Err(err).Str("stream", s.String()).Uint64("seq", l.version).Msg("engine: snapshot save failed")
		return
	}
	l.snapVersion = l.version
}
