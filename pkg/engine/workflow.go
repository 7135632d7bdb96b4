package engine

import (
	"time"

	"github.com/mako-engine/mako/pkg/fv"
)

// EventData is a typed workflow event payload. EventType returns its stable
// type name (never changed once events are stored; the prefix "mako." is
// reserved for engine events). Event types are registered in the workflow's
// Codec with their current schema version, and must be msgpack-serializable.
type EventData interface {
	EventType() string
}

// CommandData is a typed command payload. CommandType returns its stable
// type name; command types are registered in the workflow's Codec so that
// commands can travel over NATS and be decoded by type name.
type CommandData interface {
	CommandType() string
}

// Workflow is the pure decision logic of one process family at one format
// version. S is the process state; it must be msgpack-serializable (exported
// fields) for snapshots.
//
// Apply and Handle are pure and deterministic: no clock, no randomness, no
// I/O, no mutation of shared data. Time enters only through the command
// (Command.ReceivedAt, the fired deadline). Apply is total: it must accept
// every event the workflow ever emitted (after upcasting) and never fails;
// it never sees engine events. Handle returns the Decision for a command in
// a state; an empty Decision is a no-op and appends nothing; an error
// rejects the command and appends nothing.
//
// Optional behaviour is added by implementing Upcaster,
// VersionPolicyProvider, StateSchemaVersioner and DeadlineHandler[S].
type Workflow[S any] interface {
	// Name is the workflow name of WorkflowID (see WorkflowID.Validate).
	Name() string
	// Codec lists the workflow's event and command types.
	Codec() *Codec
	// Initial returns the state of a process without events.
	Initial() S
	// Apply folds one event into the state and returns the new state.
	Apply(state S, ev Event) S
	// Handle decides on a command.
	Handle(state S, cmd Command) (Decision, error)
}

// Upcaster is implemented by workflows whose stored events may carry an
// older schema version than the codec's current one. Upcast rewrites the
// decoded msgpack map of an event of the given type from schema version
// from to from+1; the engine calls it repeatedly until the current version
// is reached and then decodes the map into the registered type. An error
// surfaces as a *DecodeError.
type Upcaster interface {
	Upcast(eventType string, from int, data map[string]any) (map[string]any, error)
}

// VersionPolicyProvider is implemented by workflows with a version policy
// other than ForwardCompatible.
type VersionPolicyProvider interface {
	VersionPolicy() WorkflowVersionPolicy
}

// StateSchemaVersioner is implemented by workflows whose state encoding has
// changed; the version is stamped into snapshots and a snapshot of another
// version is ignored (full replay). The default is 1.
type StateSchemaVersioner interface {
	StateSchemaVersion() int
}

// DeadlineHandler is implemented by workflows that react to fired
// deadlines. OnDeadline is pure: it maps the fired deadline and the state to
// a command payload, or nil for none. The engine executes that command with
// ReceivedAt = fired.FiredAt and Causation = the deadline id.
type DeadlineHandler[S any] interface {
	OnDeadline(state S, fired DeadlineFired) (CommandData, error)
}

// Event is a decoded workflow event as Apply sees it.
type Event struct {
	Type          string
	SchemaVersion int // the codec's current version (after upcasting)
	Sequence      uint64
	Timestamp     time.Time
	CommandID     CommandID
	Correlation   CorrelationID
	Conversation  ConversationID
	// Data is the decoded payload, of the type registered in the Codec.
	Data EventData
}

// CommandContext is a command's correlation metadata.
type CommandContext struct {
	Correlation  CorrelationID
	Causation    CausationID
	Conversation ConversationID
	TraceParent  string // W3C traceparent, may be empty
}

// Command asks a process to decide. Commands are not persisted; their id is
// recorded on every event they cause.
type Command struct {
	// ID makes the command idempotent per process. Required.
	ID CommandID
	// Type is the payload's CommandType; filled from Payload when empty.
	Type string
	// ReceivedAt is the only clock a workflow may read. Required.
	ReceivedAt time.Time
	// PreparedAt, when set, is when the decision is being made: the
	// processor sets it from its clock right before executing (outside
	// Handle), so that what a workflow sends is dated with its creation
	// time (see Prepared). It is neither part of the command's identity nor
	// of its wire form; a retried decision may carry another value, and
	// only the committed decision's bytes count.
	PreparedAt time.Time
	// FormatVersion is the format version of the message behind the command;
	// when set, the workflow's version policy must accept it.
	FormatVersion fv.Version
	Correlation   CorrelationID
	Causation     CausationID
	Conversation  ConversationID
	TraceParent   string
	Payload       CommandData
}

// Prepared returns the time to date what the decision sends (UNB S004,
// DTM+137 of an answer): PreparedAt, but never before ReceivedAt (a clock
// behind the receipt time, or no PreparedAt, gives ReceivedAt).
func (c Command) Prepared() time.Time {
	if c.PreparedAt.After(c.ReceivedAt) {
		return c.PreparedAt
	}
	return c.ReceivedAt
}

// Context returns the command's correlation metadata.
func (c Command) Context() CommandContext {
	return CommandContext{Correlation: c.Correlation, Causation: c.Causation, Conversation: c.Conversation, TraceParent: c.TraceParent}
}

// Command builds a command with this context.
func (cc CommandContext) Command(id CommandID, receivedAt time.Time, payload CommandData) Command {
	c := Command{ID: id, ReceivedAt: receivedAt, Correlation: cc.Correlation, Causation: cc.Causation,
		Conversation: cc.Conversation, TraceParent: cc.TraceParent, Payload: payload}
	if payload != nil {
		c.Type = payload.CommandType()
	}
	return c
}

// Decision is what Handle decides. Everything in it is committed in one
// append or not at all: the workflow events, and one engine event per
// outbound message, deadline set or cancelled, and business key.
type Decision struct {
	// Events are workflow events, applied to the state after commit.
	Events []EventData
	// Outbound messages become "mako.outbound" engine events for the relay.
	Outbound []Outbound
	// SetDeadlines become "mako.deadline.set" engine events; the engine
	// assigns the ids (DeadlineIDFor).
	SetDeadlines []DeadlineRequest
	// CancelDeadlines names labels; every deadline with such a label that
	// was open before this decision becomes a "mako.deadline.cancelled"
	// engine event (so cancelling and setting one label in one decision
	// replaces the timer). Labels without an open deadline are ignored.
	CancelDeadlines []string
	// Correlate binds business keys to the process ("mako.key.bound").
	Correlate []BusinessKey
}

// IsEmpty reports whether the decision commits nothing.
func (d Decision) IsEmpty() bool {
	return len(d.Events) == 0 && len(d.Outbound) == 0 && len(d.SetDeadlines) == 0 &&
		len(d.CancelDeadlines) == 0 && len(d.Correlate) == 0
}

// Outbound is a message the process wants sent. Payload holds the final
// bytes (e.g. the built EDIFACT interchange).
type Outbound struct {
	Recipient      string // MP-ID of the receiver (required)
	Sender         string // own MP-ID, may be left to the relay
	MessageType    string // UTILMD, APERAK, CONTRL, … (required)
	InterchangeRef string // UNB DE0020 of the interchange, if built
	Payload        []byte
	Headers        map[string]string
}

// DeadlineRequest asks for a timer.
type DeadlineRequest struct {
	Label string    // required; names the timer within the process
	Due   time.Time // required
}

// DeadlineFired reports a due deadline to Engine.FireDeadline; it is
// also the payload of the "mako.deadline.fired" engine event.
type DeadlineFired struct {
	ID      DeadlineID
	Label   string
	Due     time.Time
	FiredAt time.Time
	// By and Reason are set when an operator fired the deadline by hand
	// (scheduler.Force, `mako deadline fire`): who and why, recorded in the
	// "mako.deadline.fired" event as an audit of the intervention. Empty
	// for the scheduler.
	By     string `msgpack:",omitempty"`
	Reason string `msgpack:",omitempty"`
}
