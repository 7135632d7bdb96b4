// Package readmodel holds mako-engine's read models and the projector that
// builds them from the event history.
//
// Read models are disposable, eventually consistent views in KV buckets
// (streams/KV_mako_*.json):
//
//   - mako_processes: one Process overview per process, key
//     "<tenant>.<process>";
//   - mako_process_keys: the business-key index (MaLo, MeLo, conversation,
//     document number …), one KeyEntry per key, key
//     "<tenant>.<kind>.<escaped value>" (EncodeKeyValue);
//   - mako_deadletters: one DeadLetter per message of MAKO_DLQ, key
//     "<tenant>.<MAKO_DLQ sequence, 20 digits>".
//
// The Projector consumes MAKO_EVENTS and MAKO_DLQ with its own durable
// consumers (named "projector"; their ack floor is the checkpoint), so the
// write path never waits for it and a failing projection never affects it.
// Every value is a pure function of the history: a Process is the fold of
// its process's commits in order (writes are compare-and-set on the KV
// revision, and a commit is applied only right after the previous one, so
// they are idempotent and ordered per process); index entries only grow
// (sorted sets); dead letters are written once. Rebuild purges the buckets
// and resets the consumers, and the replay yields byte-identical values.
//
// Workflows contribute to the overview through optional interfaces on their
// event data: module.Projectable (state label, PIDs) and module.Outcome
// (ProcessOutcome, the result of a finished process).
package readmodel

import (
	"slices"
	"time"
)

// Bucket and consumer names (streams/*.json).
const (
	// BucketProcesses holds Process overviews.
	BucketProcesses = "mako_processes"
	// BucketKeys holds the business-key index (KeyEntry).
	BucketKeys = "mako_process_keys"
	// BucketDeadLetters holds DeadLetter summaries.
	BucketDeadLetters = "mako_deadletters"
	// Consumer is the durable consumer name of the projector on
	// MAKO_EVENTS and on MAKO_DLQ.
	Consumer = "projector"
)

// Buckets lists the read-model buckets (what Rebuild purges).
func Buckets() []string { return []string{BucketProcesses, BucketKeys, BucketDeadLetters} }

// State sources of Process.StateSource.
const (
	// StateFromWorkflow: the label came from module.Projectable.ProjectionFields.
	StateFromWorkflow = "workflow"
	// StateFromEventType: no event gave a label so far; the label is the
	// type of the last workflow event.
	StateFromEventType = "event_type"
)

// Outbound delivery states of Outbound.Status.
const (
	// DeliveryQueued: the decision committed the message (mako.outbound).
	DeliveryQueued = "queued"
	// DeliveryDelivered: the process committed an event caused by the
	// deliverer's confirmation (command id delivery.ConfirmedID), also
	// after a failure report (a re-driven copy got through).
	DeliveryDelivered = "delivered"
	// DeliveryFailed: the process committed an event caused by the
	// deliverer's failure report (command id delivery.FailedID) and none
	// caused by a confirmation.
	DeliveryFailed = "failed"
)

// Process is the overview of one process (bucket mako_processes). JSON
// field names are part of the read API (docs/projections.md).
type Process struct {
	Tenant        string `json:"tenant"`
	ProcessID     string `json:"process_id"`
	Workflow      string `json:"workflow"`
	FormatVersion string `json:"format_version"`
	// State is the state label (see StateSource).
	State string `json:"state"`
	// StateSource says where State came from: "workflow" or "event_type".
	StateSource string `json:"state_source"`
	// Outcome is the result named by the last event implementing
	// module.Outcome; empty while the process runs.
	Outcome string `json:"outcome,omitempty"`
	// MaLo and MeLo are the values of business keys of kinds malo and melo,
	// and the MaLo of workflow events (Fields.MaLo), in binding order.
	MaLo []string `json:"malo"`
	MeLo []string `json:"melo"`
	// Keys are all business keys bound to the process, in binding order.
	Keys []Key `json:"keys"`
	// PIDs are the Prüfidentifikatoren seen, in order of first appearance.
	PIDs []string `json:"pids"`
	// OpenDeadlines are the deadlines set and neither cancelled nor fired
	// (the engine's fold, engine.DeadlineBook), ordered by due time and id.
	OpenDeadlines []Deadline `json:"open_deadlines"`
	// Outbound are the messages the process sent, in commit order.
	Outbound []Outbound `json:"outbound"`
	// CreatedAt is the commit time of the first event.
	CreatedAt time.Time `json:"created_at"`
	// LastEventAt is the commit time of the last event.
	LastEventAt time.Time `json:"last_event_at"`
	// LastEventType is the type of the last event (workflow or engine).
	LastEventType string `json:"last_event_type"`
	// EventCount is the number of events (= the process stream version).
	EventCount uint64 `json:"event_count"`
	// LastCommitSeq is the MAKO_EVENTS stream sequence of the last commit
	// applied.
	LastCommitSeq uint64 `json:"last_commit_seq"`
	Correlation   string `json:"correlation_id,omitempty"`
	Conversation  string `json:"conversation_id,omitempty"`
	// Errors lists events the projector could not decode (at most
	// MaxErrors, the first ones); they are counted but contribute nothing
	// else.
	Errors []ProjectionError `json:"projection_errors,omitempty"`
}

// MaxErrors bounds Process.Errors.
const MaxErrors = 20

// Key is a business key bound to a process.
type Key struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// Deadline is an open deadline.
type Deadline struct {
	DeadlineID string    `json:"deadline_id"`
	Label      string    `json:"label"`
	Due        time.Time `json:"due"`
}

// Outbound is a message the process sent and its delivery status.
type Outbound struct {
	MessageID      string    `json:"message_id"`
	Recipient      string    `json:"recipient"`
	Sender         string    `json:"sender,omitempty"`
	MessageType    string    `json:"message_type"`
	InterchangeRef string    `json:"interchange_ref,omitempty"`
	PayloadSize    int       `json:"payload_size"`
	Status         string    `json:"status"`
	QueuedAt       time.Time `json:"queued_at"`
	// ReportedAt is the commit time of the delivery report's event.
	ReportedAt *time.Time `json:"reported_at,omitempty"`
	// DeadLetterSeq is the MAKO_DLQ sequence of the deliverer's dead letter
	// (reason outbox_exhausted) for the message. Only the read API sets it,
	// joining the dead letters at query time (and then Status is "failed").
	DeadLetterSeq uint64 `json:"dead_letter_sequence,omitempty"`
}

// ProjectionError records an event (or a whole commit) the projector could
// not decode.
type ProjectionError struct {
	// Sequence is the event's sequence in the process (the first one of
	// the commit when the whole commit is undecodable).
	Sequence uint64 `json:"sequence"`
	// CommitSeq is the commit's MAKO_EVENTS stream sequence.
	CommitSeq uint64 `json:"commit_seq"`
	Type      string `json:"type,omitempty"`
	Error     string `json:"error"`
}

// KeyEntry is one business key of the index (bucket mako_process_keys).
type KeyEntry struct {
	Tenant string `json:"tenant"`
	Kind   string `json:"kind"`
	Value  string `json:"value"`
	// Processes are the ids of the processes bound to the key, sorted.
	Processes []string `json:"processes"`
}

// DeadLetter is the summary of one dead letter (bucket mako_deadletters);
// the original bytes stay in MAKO_DLQ (Sequence).
type DeadLetter struct {
	Tenant string `json:"tenant"`
	// Sequence is the letter's MAKO_DLQ stream sequence.
	Sequence uint64 `json:"sequence"`
	Reason   string `json:"reason"`
	Detail   string `json:"detail"`
	// At is when the letter was written (German local time, RFC 3339).
	At             string `json:"at"`
	MessageType    string `json:"message_type,omitempty"`
	Release        string `json:"release,omitempty"`
	PID            string `json:"pid,omitempty"`
	Sender         string `json:"sender,omitempty"`
	Receiver       string `json:"receiver,omitempty"`
	InterchangeRef string `json:"interchange_ref,omitempty"`
	MessageRef     string `json:"message_ref,omitempty"`
	TransactionID  string `json:"transaction_id,omitempty"`
	ProcessID      string `json:"process_id,omitempty"`
	Correlation    string `json:"correlation_id,omitempty"`
	SourceStream   string `json:"source_stream,omitempty"`
	SourceSubject  string `json:"source_subject,omitempty"`
	SourceSequence uint64 `json:"source_sequence,omitempty"`
	PayloadSize    int    `json:"payload_size"`
	// Status is the Klärfall state from the operators' actions: "open"
	// (also when absent), "redriven" or "discarded".
	Status string `json:"status,omitempty"`
	// Assignee is the person the letter is assigned to (last assign action).
	Assignee string `json:"assignee,omitempty"`
	// Actions are the operators' actions on the letter (pkg/wire/deadletter
	// Action on mako.dlq.<tenant>.action), in MAKO_DLQ order.
	Actions []LetterAction `json:"actions,omitempty"`
}

// Klärfall states of DeadLetter.Status.
const (
	LetterOpen      = "open"
	LetterRedriven  = "redriven"
	LetterDiscarded = "discarded"
)

// LetterAction is one operator action on a dead letter.
type LetterAction struct {
	// Sequence is the action's MAKO_DLQ sequence (its identity: an action
	// is applied once).
	Sequence uint64 `json:"sequence"`
	Kind     string `json:"kind"`
	Actor    string `json:"actor"`
	At       string `json:"at"`
	Reason   string `json:"reason,omitempty"`
	Assignee string `json:"assignee,omitempty"`
	Target   string `json:"target,omitempty"`
}

// State returns Status, "open" when no action changed it.
func (d DeadLetter) State() string {
	if d.Status == "" {
		return LetterOpen
	}
	return d.Status
}

// normalize makes nil slices empty so that a value encodes the same way
// whether it was just built or read back.
func (p *Process) normalize() {
	if p.MaLo == nil {
		p.MaLo = []string{}
	}
	if p.MeLo == nil {
		p.MeLo = []string{}
	}
	if p.Keys == nil {
		p.Keys = []Key{}
	}
	if p.PIDs == nil {
		p.PIDs = []string{}
	}
	if p.OpenDeadlines == nil {
		p.OpenDeadlines = []Deadline{}
	}
	if p.Outbound == nil {
		p.Outbound = []Outbound{}
	}
	if len(p.Errors) == 0 {
		p.Errors = nil
	}
}

// WorkflowID returns "name@FV" of the process's workflow.
func (p Process) WorkflowID() string {
	if p.Workflow == "" {
		return ""
	}
	return p.Workflow + "@" + p.FormatVersion
}

// HasMaLo reports whether malo is among the process's MaLo ids.
func (p Process) HasMaLo(malo string) bool { return slices.Contains(p.MaLo, malo) }
