package engine

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/fv"
	"github.com/vmihailenco/msgpack/v5"
)

// Codec maps stable type names to the Go types of a workflow's events and
// commands and encodes them as msgpack. Build it with NewCodec and the
// chaining methods Event and Command; registration errors are collected and
// reported by Err (and by the engine when the workflow is defined).
type Codec struct {
	events   map[string]eventEntry
	commands map[string]reflect.Type
	err      error
}

type eventEntry struct {
	typ     reflect.Type
	version int
}

// NewCodec returns an empty codec.
func NewCodec() *Codec {
	return &Codec{events: map[string]eventEntry{}, commands: map[string]reflect.Type{}}
}

// Event registers the type of proto under proto.EventType() with its
// current schema version (≥ 1). proto may be a value or a pointer; decoding
// yields the same kind. Names must be non-empty, unique, and must not use
// the reserved "mako." prefix.
func (c *Codec) Event(proto EventData, schemaVersion int) *Codec {
	if proto == nil {
		c.fail(errors.New("nil event prototype"))
		return c
	}
	name := proto.EventType()
	switch {
	case name == "" || IsEngineEventType(name):
		c.fail(fmt.Errorf("event type %q: empty or reserved (mako.)", name))
	case schemaVersion < 1:
		c.fail(fmt.Errorf("event type %q: schema version %d < 1", name, schemaVersion))
	case c.events[name].typ != nil:
		c.fail(fmt.Errorf("event type %q registered twice", name))
	default:
		c.events[name] = eventEntry{typ: reflect.TypeOf(proto), version: schemaVersion}
	}
	return c
}

// Command registers the type of proto under proto.CommandType().
func (c *Codec) Command(proto CommandData) *Codec {
	if proto == nil {
		c.fail(errors.New("nil command prototype"))
		return c
	}
	name := proto.CommandType()
	switch {
	case name == "" || IsEngineEventType(name):
		c.fail(fmt.Errorf("command type %q: empty or reserved (mako.)", name))
	case c.commands[name] != nil:
		c.fail(fmt.Errorf("command type %q registered twice", name))
	default:
		c.commands[name] = reflect.TypeOf(proto)
	}
	return c
}

func (c *Codec) fail(err error) {
	c.err = errors.Join(c.err, err)
}

// Err returns the registration errors, nil if none.
func (c *Codec) Err() error { return c.err }

// EventSchemaVersion returns the current schema version of an event type.
func (c *Codec) EventSchemaVersion(eventType string) (int, bool) {
	e, ok := c.events[eventType]
	return e.version, ok
}

// EncodeEvent encodes a registered event and returns its type name and
// current schema version.
func (c *Codec) EncodeEvent(ev EventData) (eventType string, schemaVersion int, payload []byte, err error) {
	if ev == nil {
		return "", 0, nil, fmt.Errorf("%w: nil event", ErrInvalidArgument)
	}
	name := ev.EventType()
	e, ok := c.events[name]
	if !ok || e.typ != reflect.TypeOf(ev) {
		return "", 0, nil, fmt.Errorf("%w: event type %q (%T) not registered", ErrInvalidArgument, name, ev)
	}
	b, err := msgpack.Marshal(ev)
	if err != nil {
		return "", 0, nil, fmt.Errorf("engine: encode event %q: %w", name, err)
	}
	return name, e.version, b, nil
}

// DecodeEvent decodes a payload already at the current schema version into
// the registered type. Unknown types and corrupt payloads are errors (the
// engine wraps them into a *DecodeError with stream and sequence).
func (c *Codec) DecodeEvent(eventType string, payload []byte) (EventData, error) {
	e, ok := c.events[eventType]
	if !ok {
		return nil, fmt.Errorf("unknown event type %q", eventType)
	}
	v, err := decodeAs(e.typ, payload)
	if err != nil {
		return nil, err
	}
	ev, ok := v.(EventData)
	if !ok {
		return nil, fmt.Errorf("event type %q: decoded %T is not EventData", eventType, v)
	}
	return ev, nil
}

// EncodeCommand encodes a registered command payload.
func (c *Codec) EncodeCommand(p CommandData) ([]byte, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: nil command payload", ErrInvalidArgument)
	}
	t, ok := c.commands[p.CommandType()]
	if !ok || t != reflect.TypeOf(p) {
		return nil, fmt.Errorf("%w: command type %q (%T) not registered", ErrInvalidArgument, p.CommandType(), p)
	}
	return msgpack.Marshal(p)
}

// DecodeCommand decodes a command payload by its type name.
func (c *Codec) DecodeCommand(commandType string, payload []byte) (CommandData, error) {
	t, ok := c.commands[commandType]
	if !ok {
		return nil, fmt.Errorf("%w: unknown command type %q", ErrDecode, commandType)
	}
	v, err := decodeAs(t, payload)
	if err != nil {
		return nil, fmt.Errorf("%w: command %q: %v", ErrDecode, commandType, err)
	}
	p, ok := v.(CommandData)
	if !ok {
		return nil, fmt.Errorf("%w: command %q: decoded %T is not CommandData", ErrDecode, commandType, v)
	}
	return p, nil
}

// wireCommand is the msgpack form of a Command.
type wireCommand struct {
	ID            CommandID
	Type          string
	ReceivedAt    time.Time
	FormatVersion fv.Version
	Correlation   CorrelationID
	Causation     CausationID
	Conversation  ConversationID
	TraceParent   string
	Payload       []byte
}

// MarshalCommand encodes a whole command (metadata and payload) for
// transport, e.g. on the MAKO_COMMANDS stream.
func (c *Codec) MarshalCommand(cmd Command) ([]byte, error) {
	p, err := c.EncodeCommand(cmd.Payload)
	if err != nil {
		return nil, err
	}
	typ := cmd.Type
	if typ == "" {
		typ = cmd.Payload.CommandType()
	}
	return msgpack.Marshal(wireCommand{ID: cmd.ID, Type: typ, ReceivedAt: cmd.ReceivedAt, FormatVersion: cmd.FormatVersion,
		Correlation: cmd.Correlation, Causation: cmd.Causation, Conversation: cmd.Conversation,
		TraceParent: cmd.TraceParent, Payload: p})
}

// UnmarshalCommand decodes what MarshalCommand produced. Errors match
// ErrDecode.
func (c *Codec) UnmarshalCommand(b []byte) (Command, error) {
	var w wireCommand
	if err := unmarshalStrict(b, &w); err != nil {
		return Command{}, fmt.Errorf("%w: command: %v", ErrDecode, err)
	}
	p, err := c.DecodeCommand(w.Type, w.Payload)
	if err != nil {
		return Command{}, err
	}
	return Command{ID: w.ID, Type: w.Type, ReceivedAt: w.ReceivedAt.UTC(), FormatVersion: w.FormatVersion,
		Correlation: w.Correlation, Causation: w.Causation, Conversation: w.Conversation,
		TraceParent: w.TraceParent, Payload: p}, nil
}

// decodeAs decodes payload into a new value of type t (a pointer type
// yields a pointer, a value type a value).
func decodeAs(t reflect.Type, payload []byte) (any, error) {
	if t.Kind() == reflect.Pointer {
		v := reflect.New(t.Elem())
		if err := unmarshalStrict(payload, v.Interface()); err != nil {
			return nil, err
		}
		return v.Interface(), nil
	}
	v := reflect.New(t)
	if err := unmarshalStrict(payload, v.Interface()); err != nil {
		return nil, err
	}
	return v.Elem().Interface(), nil
}

// unmarshalStrict decodes msgpack with unknown fields disallowed and
// trailing bytes rejected. msgpack decoding of hostile input returns errors;
// a recovered panic is reported as an error too, so bad input never crashes.
func unmarshalStrict(b []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("msgpack: %v", r)
		}
	}()
	r := bytes.NewReader(b)
	dec := msgpack.GetDecoder()
	dec.Reset(r)
	dec.DisallowUnknownFields(true)
	err = dec.Decode(v)
	msgpack.PutDecoder(dec)
	if err != nil {
		return err
	}
	if r.Len() != 0 {
		return fmt.Errorf("msgpack: %d trailing bytes", r.Len())
	}
	return nil
}

// IsEngineEventType reports whether an event type name is reserved for the
// engine (prefix "mako.").
func IsEngineEventType(t string) bool { return strings.HasPrefix(t, "mako.") }
