package engine

import (
	"fmt"
	"time"
)

// Engine event types. The engine appends them in the same commit as the
// workflow events of a decision; workers derive effects from them: the relay
// sends "mako.outbound", the scheduler arms and disarms timers from
// "mako.deadline.*", the relay and the ERP publisher put "mako.key.bound"
// into the registry (commits.BindKeys). Their schema version is
// EngineEventSchemaVersion; decode them with DecodeEngineEvent.
const (
	EventOutbound          = "mako.outbound"           // payload OutboundMessage
	EventDeadlineSet       = "mako.deadline.set"       // payload DeadlineSet
	EventDeadlineCancelled = "mako.deadline.cancelled" // payload DeadlineCancelled
	EventDeadlineFired     = "mako.deadline.fired"     // payload DeadlineFired
	EventKeyBound          = "mako.key.bound"          // payload KeyBound
)

// EngineEventSchemaVersion is the schema version of every engine event type.
const EngineEventSchemaVersion = 1

// OutboundMessage is the payload of EventOutbound.
type OutboundMessage struct {
	MessageID      string // deterministic (MessageIDFor); the relay's idempotency key
	Recipient      string
	Sender         string
	MessageType    string
	InterchangeRef string
	Payload        []byte
	Headers        map[string]string
}

// DeadlineSet is the payload of EventDeadlineSet.
type DeadlineSet struct {
	ID    DeadlineID
	Label string
	Due   time.Time
}

// DeadlineCancelled is the payload of EventDeadlineCancelled.
type DeadlineCancelled struct {
	ID    DeadlineID
	Label string
}

// KeyBound is the payload of EventKeyBound: the process is to be found under
// the business key (Registry.Correlate).
type KeyBound struct {
	Kind  KeyKind
	Value string
}

// DecodeEngineEvent decodes an engine event's payload into *OutboundMessage,
// *DeadlineSet, *DeadlineCancelled, *DeadlineFired or *KeyBound. Workflow
// events, unknown engine types and corrupt payloads give a *DecodeError.
// Times are returned in UTC.
func DecodeEngineEvent(env EventEnvelope) (any, error) {
	var v any
	switch env.Type {
	case EventOutbound:
		v = new(OutboundMessage)
	case EventDeadlineSet:
		v = new(DeadlineSet)
	case EventDeadlineCancelled:
		v = new(DeadlineCancelled)
	case EventDeadlineFired:
		v = new(DeadlineFired)
	case EventKeyBound:
		v = new(KeyBound)
	default:
		return nil, &DecodeError{Stream: env.Stream, Sequence: env.Sequence, Type: env.Type, SchemaVersion: env.SchemaVersion,
			Err: fmt.Errorf("not an engine event type")}
	}
	if env.SchemaVersion != EngineEventSchemaVersion {
		return nil, &DecodeError{Stream: env.Stream, Sequence: env.Sequence, Type: env.Type, SchemaVersion: env.SchemaVersion,
			Err: fmt.Errorf("unsupported engine event schema version")}
	}
	if err := env.DecodeInto(v); err != nil {
		return nil, err
	}
	switch p := v.(type) {
	case *DeadlineSet:
		p.Due = p.Due.UTC()
	case *DeadlineFired:
		p.Due, p.FiredAt = p.Due.UTC(), p.FiredAt.UTC()
	}
	return v, nil
}
