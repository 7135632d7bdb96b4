package engine

import (
	"time"
)

// NewEvent is an event handed to EventStore.Append. The engine fills every
// field; the store adds the stream, the sequence and the timestamp.
type NewEvent struct {
	// EventID is the event's id. The engine derives it with EventIDFor; a
	// store assigns a random UUID when it is empty.
	EventID       EventID
	Tenant        TenantID
	Process       ProcessID
	Workflow      WorkflowID
	Type          string // stable type name; "mako." prefix = engine event
	SchemaVersion int    // payload schema version, ≥ 1
	Correlation   CorrelationID
	Causation     CausationID
	Conversation  ConversationID
	CommandID     CommandID // the command whose decision produced the event
	TraceParent   string    // W3C traceparent of the command, may be empty
	Payload       []byte    // msgpack
}

// EventEnvelope is a committed event as stored and loaded.
type EventEnvelope struct {
	EventID       EventID
	Stream        StreamID
	Sequence      uint64 // 1-based position in the process stream, gap-free
	Tenant        TenantID
	Process       ProcessID
	Workflow      WorkflowID
	Type          string
	SchemaVersion int
	Correlation   CorrelationID
	Causation     CausationID
	Conversation  ConversationID
	CommandID     CommandID
	TraceParent   string
	Timestamp     time.Time // assigned by the store at append; equal for one batch
	Payload       []byte    // msgpack
}

// Envelope returns the committed envelope for ev at the given stream,
// sequence and timestamp. Stores use it to build Append's result.
func (ev NewEvent) Envelope(stream StreamID, seq uint64, ts time.Time) EventEnvelope {
	return EventEnvelope{
		EventID: ev.EventID, Stream: stream, Sequence: seq,
		Tenant: ev.Tenant, Process: ev.Process, Workflow: ev.Workflow,
		Type: ev.Type, SchemaVersion: ev.SchemaVersion,
		Correlation: ev.Correlation, Causation: ev.Causation, Conversation: ev.Conversation,
		CommandID: ev.CommandID, TraceParent: ev.TraceParent,
		Timestamp: ts, Payload: ev.Payload,
	}
}

// IsEngineEvent reports whether the envelope holds an engine event (type
// prefix "mako."), which workflows never see.
func (e EventEnvelope) IsEngineEvent() bool { return IsEngineEventType(e.Type) }

// DecodeInto decodes the msgpack payload into v (a pointer) with unknown
// fields disallowed. A failure is a *DecodeError naming stream and sequence.
func (e EventEnvelope) DecodeInto(v any) error {
	if err := unmarshalStrict(e.Payload, v); err != nil {
		return &DecodeError{Stream: e.Stream, Sequence: e.Sequence, Type: e.Type, SchemaVersion: e.SchemaVersion, Err: err}
	}
	return nil
}

// Caused returns a command context whose causation is this event: same
// correlation and conversation, causation = the event id.
func (e EventEnvelope) Caused() CommandContext {
	return CommandContext{Correlation: e.Correlation, Causation: CausationID(e.EventID), Conversation: e.Conversation, TraceParent: e.TraceParent}
}
