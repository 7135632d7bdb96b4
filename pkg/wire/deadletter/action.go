package deadletter

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers of action messages and of re-driven messages.
const (
	// HeaderAction is the ActionKind of an action message.
	HeaderAction = "Mako-Dlq-Action"
	// HeaderRedriveOf marks a message published again by a re-drive:
	// "<Stream> <letter sequence>".
	HeaderRedriveOf = "Mako-Redrive-Of"
)

// ActionKind names what an operator did with a dead letter (a Klärfall).
type ActionKind string

// The operator actions on a dead letter.
const (
	// ActionRedrive: the original message was published again to the
	// subject it came from (Action.Target names the stream and sequence it
	// got).
	ActionRedrive ActionKind = "redrive"
	// ActionDiscard: the letter was closed without processing; Reason says
	// why.
	ActionDiscard ActionKind = "discard"
	// ActionAssign: the letter was assigned to a person (Assignee; empty
	// releases it).
	ActionAssign ActionKind = "assign"
)

// Valid reports whether k is one of the actions above.
func (k ActionKind) Valid() bool {
	return k == ActionRedrive || k == ActionDiscard || k == ActionAssign
}

// Action is an operator's action on a dead letter: who did what, when and
// why. Actions are JSON messages on ActionSubject(tenant) in MAKO_DLQ (next
// to the letters they concern, so the queue's history holds its audit
// trail); the projector folds them into the letter's read model.
type Action struct {
	// Letter is the MAKO_DLQ sequence of the dead letter concerned.
	Letter uint64 `json:"letter"`
	// Kind is what was done.
	Kind ActionKind `json:"kind"`
	// Actor is the user who did it (login name, or OIDC subject/e-mail).
	Actor string `json:"actor"`
	// At is when, in German local time (RFC 3339 with offset).
	At string `json:"at"`
	// Reason is the operator's note (required for a discard).
	Reason string `json:"reason,omitempty"`
	// Assignee is the person an assign action names.
	Assignee string `json:"assignee,omitempty"`
	// Target is where a re-drive published the message:
	// "<stream> <sequence> <subject>".
	Target string `json:"target,omitempty"`
}

// ActionToken is the last token of the action subject
// `mako.dlq.<tenant>.action`.
const ActionToken = "action"

// ActionSubject returns the subject of a tenant's dead-letter actions:
// `mako.dlq.<tenant>.action` (inside MAKO_DLQ's `mako.dlq.>`).
func ActionSubject(tenant string) string { return Subject(tenant) + "." + ActionToken }

// IsActionSubject reports whether subject is an action subject
// (ActionSubject) and returns its tenant.
func IsActionSubject(subject string) (tenant string, ok bool) {
	rest, ok := strings.CutPrefix(subject, SubjectPrefix+".")
	if !ok {
		return "", false
	}
	tenant, ok = strings.CutSuffix(rest, "."+ActionToken)
	if !ok || tenant == "" || strings.Contains(tenant, ".") {
		return "", false
	}
	return tenant, true
}

// Validate checks that a has a letter, a known kind, an actor and a time,
// and a reason when it discards.
func (a Action) Validate() error {
	switch {
	case a.Letter == 0:
		return fmt.Errorf("deadletter: action without letter sequence")
	case !a.Kind.Valid():
		return fmt.Errorf("deadletter: action kind %q", a.Kind)
	case a.Actor == "":
		return fmt.Errorf("deadletter: action %s on letter %d without actor", a.Kind, a.Letter)
	case a.At == "":
		return fmt.Errorf("deadletter: action %s on letter %d without time", a.Kind, a.Letter)
	case a.Kind == ActionDiscard && strings.TrimSpace(a.Reason) == "":
		return fmt.Errorf("deadletter: discarding letter %d needs a reason", a.Letter)
	}
	return nil
}

// ActionMsg validates a and returns its message on ActionSubject(tenant),
// with HeaderTenant, HeaderAction and a message id derived from the tenant,
// the letter, prior (the number of actions the letter had when the operator
// chose this one) and the action's content without its time: a repeated
// submit of the same form is stored once (within the stream's duplicate
// window), a different action is never taken for a repeat.
func ActionMsg(tenant string, a Action, prior int) (*nats.Msg, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("deadletter: encode action %s on letter %d: %w", a.Kind, a.Letter, err)
	}
	msg := nats.NewMsg(ActionSubject(tenant))
	msg.Data = b
	msg.Header.Set(HeaderTenant, tenant)
	msg.Header.Set(HeaderAction, string(a.Kind))
	sum := sha256.Sum256([]byte(strings.Join([]string{string(a.Kind), a.Actor, a.Reason, a.Assignee, a.Target}, "\x00")))
	msg.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("dlq-action.%s.%d.%d.%x", tenant, a.Letter, prior, sum[:8]))
	return msg, nil
}

// DecodeAction parses and validates an action read from MAKO_DLQ.
func DecodeAction(b []byte) (Action, error) {
	var a Action
	if err := json.Unmarshal(b, &a); err != nil {
		return Action{}, fmt.Errorf("deadletter: decode action: %w", err)
	}
	if err := a.Validate(); err != nil {
		return Action{}, err
	}
	return a, nil
}
