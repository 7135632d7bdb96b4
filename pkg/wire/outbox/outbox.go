// Package outbox is the wire contract of stream MAKO_OUTBOX: every outbound
// interchange (CONTRL, APERAK, UTILMD, …) as final EDIFACT bytes on
// `mako.outbox.<tenant>.<recipient MP-ID>`.
//
// Headers (all human-readable, for `nats stream view MAKO_OUTBOX`):
// Mako-Message-Type, Mako-Sender, Mako-Recipient, Mako-Tenant, Mako-Process
// (empty for messages that belong to no process, e.g. a CONTRL for a broken
// interchange), Mako-Interchange-Ref, Mako-Message-Id and, when known,
// traceparent. Nats-Msg-Id is the deterministic message id, so publishing the
// same outbound message again (a relay or ingest redelivery) stores it once
// within the stream's duplicate window.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mako-engine/mako/pkg/wire"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream and subject prefix of outbound interchanges (streams/MAKO_OUTBOX.json).
const (
	// Stream holds the final outbound interchanges.
	Stream = "MAKO_OUTBOX"
	// SubjectPrefix + ".<tenant>.<recipient MP-ID>" is the subject of an
	// outbound interchange.
	SubjectPrefix = "mako.outbox"
)

// Header names of outbox messages.
const (
	HeaderMessageType = "Mako-Message-Type"
	HeaderSender      = "Mako-Sender"
	HeaderRecipient   = "Mako-Recipient"
	HeaderTenant      = wire.HeaderTenant
	HeaderProcess     = wire.HeaderProcess
	// HeaderWorkflow is the workflow id of the process that sent the
	// message (empty with no process), so the deliverer can report back to
	// the process without reading the event store.
	HeaderWorkflow       = wire.HeaderWorkflow
	HeaderInterchangeRef = "Mako-Interchange-Ref"
	HeaderMessageID      = "Mako-Message-Id"
	HeaderTraceParent    = wire.HeaderTraceParent
)

// Message is one outbound interchange.
type Message struct {
	// ID is the deterministic message id (also Nats-Msg-Id). Required.
	ID          string
	Tenant      string
	Sender      string
	Recipient   string
	MessageType string
	Process     string
	// Workflow is the workflow id of Process ("name@FV2604"), empty with no
	// process.
	Workflow       string
	InterchangeRef string
	TraceParent    string
	// Payload is the final EDIFACT interchange, sent as is.
	Payload []byte
}

// ErrInvalid reports a message that cannot be put on the outbox.
var ErrInvalid = errors.New("outbox: invalid message")

// Subject returns `mako.outbox.<tenant>.<recipient>`.
func Subject(tenant, recipient string) string {
	return SubjectPrefix + "." + tenant + "." + recipient
}

// ParseSubject returns tenant and recipient of `mako.outbox.<tenant>.<recipient>`.
func ParseSubject(subject string) (tenant, recipient string, err error) {
	rest, ok := strings.CutPrefix(subject, SubjectPrefix+".")
	tenant, recipient, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || !validToken(tenant) || !validToken(recipient) {
		return "", "", fmt.Errorf("%w: subject %q is not %s.<tenant>.<recipient>", ErrInvalid, subject, SubjectPrefix)
	}
	return tenant, recipient, nil
}

func validToken(s string) bool {
	return s != "" && !strings.ContainsAny(s, ".*> \t\r\n")
}

// Validate checks the fields the subject and the deliverer depend on.
func (m Message) Validate() error {
	switch {
	case m.ID == "":
		return fmt.Errorf("%w: no message id", ErrInvalid)
	case !validToken(m.Tenant):
		return fmt.Errorf("%w: tenant %q is not a subject token", ErrInvalid, m.Tenant)
	case !validToken(m.Recipient):
		return fmt.Errorf("%w: recipient %q is not a subject token", ErrInvalid, m.Recipient)
	case m.MessageType == "":
		return fmt.Errorf("%w: no message type", ErrInvalid)
	case len(m.Payload) == 0:
		return fmt.Errorf("%w: empty payload", ErrInvalid)
	}
	return nil
}

// NatsMsg returns the NATS message for m.
func (m Message) NatsMsg() *nats.Msg {
	msg := nats.NewMsg(Subject(m.Tenant, m.Recipient))
	msg.Data = m.Payload
	set := func(k, v string) {
		if v != "" {
			msg.Header.Set(k, v)
		}
	}
	set(HeaderMessageType, m.MessageType)
	set(HeaderSender, m.Sender)
	set(HeaderRecipient, m.Recipient)
	set(HeaderTenant, m.Tenant)
	set(HeaderProcess, m.Process)
	set(HeaderWorkflow, m.Workflow)
	set(HeaderInterchangeRef, m.InterchangeRef)
	set(HeaderMessageID, m.ID)
	set(HeaderTraceParent, m.TraceParent)
	msg.Header.Set(jetstream.MsgIDHeader, m.ID)
	return msg
}

// Publish puts m on MAKO_OUTBOX and waits for the stream's ack. A duplicate
// (same id within the duplicate window) is not an error.
func Publish(ctx context.Context, js jetstream.JetStream, m Message) (*jetstream.PubAck, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	ack, err := js.PublishMsg(ctx, m.NatsMsg())
	if err != nil {
		return nil, fmt.Errorf("outbox: publish %s to %s: %w", m.ID, Subject(m.Tenant, m.Recipient), err)
	}
	return ack, nil
}

// FromNats reads an outbox message back from its NATS form.
func FromNats(subject string, h nats.Header, data []byte) (Message, error) {
	parts := strings.Split(subject, ".")
	if len(parts) != 4 || parts[0] != "mako" || parts[1] != "outbox" {
		return Message{}, fmt.Errorf("%w: subject %q is not mako.outbox.<tenant>.<recipient>", ErrInvalid, subject)
	}
	m := Message{
		ID:             h.Get(HeaderMessageID),
		Tenant:         parts[2],
		Recipient:      parts[3],
		Sender:         h.Get(HeaderSender),
		MessageType:    h.Get(HeaderMessageType),
		Process:        h.Get(HeaderProcess),
		Workflow:       h.Get(HeaderWorkflow),
		InterchangeRef: h.Get(HeaderInterchangeRef),
		TraceParent:    h.Get(HeaderTraceParent),
		Payload:        data,
	}
	if m.ID == "" {
		m.ID = h.Get(jetstream.MsgIDHeader)
	}
	return m, m.Validate()
}
