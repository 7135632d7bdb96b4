// Package api is the HTTP read API of mako-engine and a small Go client for
// it.
//
// The Server answers from the read models (pkg/workers/readmodel) and, for a
// process's timeline, from the event store, decoding workflow events with
// the registered definitions. Routes (all GET, JSON, snake_case field
// names, documented in docs/projections.md):
//
//	/v1/processes?tenant=&workflow=&state=&malo=&limit=&cursor=
//	/v1/processes/{id}?tenant=
//	/v1/deadlines?due_before=RFC3339&tenant=
//	/v1/deadletters?tenant=&reason=&limit=
//	/v1/keys?tenant=&kind=&value=
//
// Errors are {"error": "...", "status": N} with 400 for a bad query, 404 for
// an unknown process or key and 500 (503 when the read models are unavailable)
// otherwise.
package api

import (
	"time"

	"github.com/mako-engine/mako/pkg/workers/readmodel"
)

// ProcessList is the answer of GET /v1/processes.
type ProcessList struct {
	Processes []readmodel.Process `json:"processes"`
	// NextCursor fetches the next page (query parameter cursor); empty on
	// the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// ProcessDetail is the answer of GET /v1/processes/{id}.
type ProcessDetail struct {
	Process readmodel.Process `json:"process"`
	// Timeline holds every event of the process in sequence order.
	Timeline []TimelineEvent `json:"timeline"`
	// TimelineError is set when the events could not be read; the overview
	// is still given.
	TimelineError string `json:"timeline_error,omitempty"`
	// DeadLetters are the dead letters naming the process, oldest first.
	// An outbound message the deliverer gave up (reason outbox_exhausted,
	// message_ref = its message id) is shown with status "failed" and
	// dead_letter_sequence even if the workflow ignored the report.
	DeadLetters []readmodel.DeadLetter `json:"dead_letters"`
}

// Event kinds of TimelineEvent.Kind.
const (
	KindEngine   = "engine"
	KindWorkflow = "workflow"
)

// TimelineEvent is one event of a process decoded to JSON.
type TimelineEvent struct {
	Sequence      uint64    `json:"sequence"`
	EventID       string    `json:"event_id"`
	Type          string    `json:"type"`
	SchemaVersion int       `json:"schema_version"`
	Kind          string    `json:"kind"`
	Timestamp     time.Time `json:"timestamp"`
	Workflow      string    `json:"workflow,omitempty"`
	CommandID     string    `json:"command_id,omitempty"`
	Correlation   string    `json:"correlation_id,omitempty"`
	Causation     string    `json:"causation_id,omitempty"`
	Conversation  string    `json:"conversation_id,omitempty"`
	// Data is the decoded payload: for engine events the documented
	// snake_case shapes, for workflow events the workflow's event type as
	// encoding/json renders it, for undecodable events the msgpack payload
	// decoded generically (Raw true, Note says why).
	Data any `json:"data,omitempty"`
	// Raw marks Data as a generic decoding of an event no definition could
	// decode.
	Raw  bool   `json:"raw,omitempty"`
	Note string `json:"note,omitempty"`
}

// OutboundData is Data of a "mako.outbound" event (the payload bytes are not
// repeated; payload_size gives their length).
type OutboundData struct {
	MessageID      string            `json:"message_id"`
	Recipient      string            `json:"recipient"`
	Sender         string            `json:"sender,omitempty"`
	MessageType    string            `json:"message_type"`
	InterchangeRef string            `json:"interchange_ref,omitempty"`
	PayloadSize    int               `json:"payload_size"`
	Headers        map[string]string `json:"headers,omitempty"`
}

// DeadlineData is Data of "mako.deadline.set", ".cancelled" and ".fired".
type DeadlineData struct {
	DeadlineID string     `json:"deadline_id"`
	Label      string     `json:"label"`
	Due        *time.Time `json:"due,omitempty"`
	FiredAt    *time.Time `json:"fired_at,omitempty"`
}

// KeyData is Data of "mako.key.bound".
type KeyData struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// DeadlineList is the answer of GET /v1/deadlines.
type DeadlineList struct {
	Deadlines []readmodel.DueDeadline `json:"deadlines"`
}

// DeadLetterList is the answer of GET /v1/deadletters.
type DeadLetterList struct {
	DeadLetters []readmodel.DeadLetter `json:"dead_letters"`
}

// ErrorBody is the JSON body of every error answer.
type ErrorBody struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
}
