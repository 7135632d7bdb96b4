package engine

import (
	"bytes"
	"fmt"

	"github.com/mako-engine/mako/pkg/fv"
	"github.com/vmihailenco/msgpack/v5"
)

// AnyDefinition is a workflow definition with its state type erased: what
// the Engine's workflow registry holds and what the pipeline's
// processor dispatches to by name and format version. It is implemented only
// by *Definition[S].
type AnyDefinition interface {
	// ID is the workflow name and the format version it serves.
	ID() WorkflowID
	// Err reports an invalid definition (bad name, codec registration errors).
	Err() error
	// Codec is the workflow's event and command codec, e.g. to decode a
	// command arriving over NATS (Codec.UnmarshalCommand).
	Codec() *Codec
	// Policy is the workflow's version policy.
	Policy() WorkflowVersionPolicy
	// DecodeEvent decodes (and upcasts) a stored workflow event.
	DecodeEvent(env EventEnvelope) (Event, error)

	runner() runner
}

// runner is the type-erased workflow the runtime drives.
type runner interface {
	AnyDefinition
	stateSchemaVersion() int
	initial() any
	apply(state any, ev Event) any
	handle(state any, cmd Command) (Decision, error)
	onDeadline(state any, f DeadlineFired) (CommandData, error)
	encodeState(state any) ([]byte, error)
	decodeState(b []byte) (any, error)
}

// Definition binds a Workflow[S] to the format version it serves. Build it
// with Define; register it with WithWorkflows or Engine.RegisterWorkflow
// for the type-erased path, and use Spawn/Resume for typed handles.
type Definition[S any] struct {
	id     WorkflowID
	wf     Workflow[S]
	codec  *Codec
	up     Upcaster
	policy WorkflowVersionPolicy
	ssv    int
	dh     DeadlineHandler[S]
	err    error
}

// Define binds wf to formatVersion and picks up its optional interfaces
// (Upcaster, VersionPolicyProvider, StateSchemaVersioner, DeadlineHandler[S]).
// Problems are reported by Err and whenever the definition is used.
func Define[S any](wf Workflow[S], formatVersion fv.Version) *Definition[S] {
	d := &Definition[S]{wf: wf, ssv: 1, policy: ForwardCompatible()}
	if wf == nil {
		d.err = fmt.Errorf("%w: nil workflow", ErrInvalidArgument)
		return d
	}
	d.id = WorkflowID{Name: wf.Name(), FormatVersion: formatVersion}
	d.codec = wf.Codec()
	if err := d.id.Validate(); err != nil {
		d.err = err
	} else if d.codec == nil {
		d.err = fmt.Errorf("%w: workflow %s: nil codec", ErrInvalidArgument, d.id)
	} else if err := d.codec.Err(); err != nil {
		d.err = fmt.Errorf("%w: workflow %s: codec: %v", ErrInvalidArgument, d.id, err)
	}
	if u, ok := wf.(Upcaster); ok {
		d.up = u
	}
	if p, ok := wf.(VersionPolicyProvider); ok {
		d.policy = p.VersionPolicy()
	}
	if s, ok := wf.(StateSchemaVersioner); ok {
		d.ssv = s.StateSchemaVersion()
		if d.ssv < 1 && d.err == nil {
			d.err = fmt.Errorf("%w: workflow %s: state schema version %d < 1", ErrInvalidArgument, d.id, d.ssv)
		}
	}
	if h, ok := wf.(DeadlineHandler[S]); ok {
		d.dh = h
	}
	return d
}

// ID implements AnyDefinition.
func (d *Definition[S]) ID() WorkflowID { return d.id }

// Err implements AnyDefinition.
func (d *Definition[S]) Err() error { return d.err }

// Codec implements AnyDefinition.
func (d *Definition[S]) Codec() *Codec { return d.codec }

// Policy implements AnyDefinition.
func (d *Definition[S]) Policy() WorkflowVersionPolicy { return d.policy }

// Workflow returns the bound workflow.
func (d *Definition[S]) Workflow() Workflow[S] { return d.wf }

func (d *Definition[S]) runner() runner          { return d }
func (d *Definition[S]) stateSchemaVersion() int { return d.ssv }
func (d *Definition[S]) initial() any            { return d.wf.Initial() }
func (d *Definition[S]) apply(state any, ev Event) any {
	return d.wf.Apply(state.(S), ev)
}
func (d *Definition[S]) handle(state any, cmd Command) (Decision, error) {
	return d.wf.Handle(state.(S), cmd)
}
func (d *Definition[S]) onDeadline(state any, f DeadlineFired) (CommandData, error) {
	if d.dh == nil {
		return nil, nil
	}
	return d.dh.OnDeadline(state.(S), f)
}
func (d *Definition[S]) encodeState(state any) ([]byte, error) { return msgpack.Marshal(state.(S)) }
func (d *Definition[S]) decodeState(b []byte) (any, error) {
	var s S
	if err := unmarshalStrict(b, &s); err != nil {
		return nil, err
	}
	return s, nil
}

// DecodeEvent decodes a stored workflow event into the registered type,
// upcasting older schema versions through the workflow's Upcaster. Unknown
// types, schema versions newer than the codec's, older versions without an
// Upcaster, upcaster failures and corrupt payloads give a *DecodeError
// naming stream and sequence.
func (d *Definition[S]) DecodeEvent(env EventEnvelope) (ev Event, err error) {
	fail := func(e error) (Event, error) {
		return Event{}, &DecodeError{Stream: env.Stream, Sequence: env.Sequence, Type: env.Type, SchemaVersion: env.SchemaVersion, Err: e}
	}
	if d.codec == nil {
		return fail(fmt.Errorf("workflow %s has no codec", d.id))
	}
	cur, ok := d.codec.EventSchemaVersion(env.Type)
	if !ok {
		return fail(fmt.Errorf("unknown event type for workflow %s", d.id.Name))
	}
	payload := env.Payload
	switch {
	case env.SchemaVersion == cur:
	case env.SchemaVersion >= 1 && env.SchemaVersion < cur && d.up != nil:
		payload, err = d.upcast(env, cur)
		if err != nil {
			return fail(err)
		}
	default:
		return fail(fmt.Errorf("schema version not supported (current %d, upcaster %v)", cur, d.up != nil))
	}
	data, err := d.codec.DecodeEvent(env.Type, payload)
	if err != nil {
		return fail(err)
	}
	return Event{Type: env.Type, SchemaVersion: cur, Sequence: env.Sequence, Timestamp: env.Timestamp,
		CommandID: env.CommandID, Correlation: env.Correlation, Conversation: env.Conversation, Data: data}, nil
}

// upcast decodes the payload into a map (loose: integers as int64/uint64,
// floats as float64), runs the upcaster step by step to version cur and
// re-encodes the map.
func (d *Definition[S]) upcast(env EventEnvelope, cur int) (b []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("upcaster panicked: %v", r)
		}
	}()
	dec := msgpack.NewDecoder(bytes.NewReader(env.Payload))
	dec.UseLooseInterfaceDecoding(true)
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for v := env.SchemaVersion; v < cur; v++ {
		m, err = d.up.Upcast(env.Type, v, m)
		if err != nil {
			return nil, fmt.Errorf("upcast v%d->v%d: %w", v, v+1, err)
		}
	}
	return msgpack.Marshal(m)
}
