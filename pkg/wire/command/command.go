// Package command is the wire contract of stream MAKO_COMMANDS: commands
// to processes on `mako.cmd.<tenant>.<process>`.
//
// The body is the command as the workflow's codec marshals it
// (engine.Codec.MarshalCommand). Headers say where it goes and are readable
// in `nats stream view MAKO_COMMANDS`: Mako-Tenant, Mako-Process,
// Mako-Workflow (name@FV, so a processor can pick the codec before decoding),
// Mako-Command-Type, Mako-Command-Id, Mako-Correlation and traceparent.
// Nats-Msg-Id is "cmd.<tenant>.<process>.<command id>": publishing the same
// command twice (a redelivered ingest message, a retried scheduler fire)
// stores it once within the duplicate window, and the engine itself ignores
// a command id it has already committed.
package command

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Stream and subject prefix of commands (streams/MAKO_COMMANDS.json).
const (
	// Stream is the work queue of process commands.
	Stream = "MAKO_COMMANDS"
	// SubjectPrefix + ".<tenant>.<process>" is the subject of a command.
	SubjectPrefix = "mako.cmd"
)

// Header names of command messages.
const (
	HeaderTenant      = wire.HeaderTenant
	HeaderProcess     = wire.HeaderProcess
	HeaderWorkflow    = wire.HeaderWorkflow
	HeaderCommandType = "Mako-Command-Type"
	HeaderCommandID   = "Mako-Command-Id"
	HeaderCorrelation = wire.HeaderCorrelation
	HeaderTraceParent = wire.HeaderTraceParent
	// HeaderNewProcess ("1") says the publisher has just spawned the
	// process: the processor may decide the command without reading the
	// stores (engine.AssumeNew), falling back to a reload on conflict.
	HeaderNewProcess = "Mako-New-Process"
)

// PublishOption adjusts a command message.
type PublishOption func(*nats.Msg)

// NewProcess marks the command as the first one of a process the publisher
// has just spawned (HeaderNewProcess).
func NewProcess() PublishOption {
	return func(m *nats.Msg) { m.Header.Set(HeaderNewProcess, "1") }
}

// ErrMalformed reports a message on a command subject that is not a command.
var ErrMalformed = errors.New("commandbus: malformed command message")

// Subject returns `mako.cmd.<tenant>.<process>`.
func Subject(t engine.TenantID, p engine.ProcessID) string {
	return SubjectPrefix + "." + string(t) + "." + string(p)
}

// TenantFromSubject returns the tenant of a subject of this stream
// (the first token after SubjectPrefix), validated as a tenant id.
func TenantFromSubject(subject string) (engine.TenantID, error) {
	tok, err := wire.TenantToken(SubjectPrefix, subject)
	if err != nil {
		return "", err
	}
	t := engine.TenantID(tok)
	return t, t.Validate()
}

// MsgID returns the deterministic Nats-Msg-Id of a command.
func MsgID(t engine.TenantID, p engine.ProcessID, c engine.CommandID) string {
	return "cmd." + string(t) + "." + string(p) + "." + string(c)
}

// Encode builds the NATS message for cmd addressed to the process id.
func Encode(id engine.ProcessIdentity, codec *engine.Codec, cmd engine.Command, opts ...PublishOption) (*nats.Msg, error) {
	if err := id.Validate(); err != nil {
		return nil, fmt.Errorf("commandbus: %w", err)
	}
	if cmd.ID == "" {
		return nil, fmt.Errorf("commandbus: command for %s without id", id)
	}
	body, err := codec.MarshalCommand(cmd)
	if err != nil {
		return nil, fmt.Errorf("commandbus: encode command %s for %s: %w", cmd.ID, id, err)
	}
	typ := cmd.Type
	if typ == "" && cmd.Payload != nil {
		typ = cmd.Payload.CommandType()
	}
	msg := nats.NewMsg(Subject(id.Tenant, id.Process))
	msg.Data = body
	msg.Header.Set(HeaderTenant, string(id.Tenant))
	msg.Header.Set(HeaderProcess, string(id.Process))
	msg.Header.Set(HeaderWorkflow, id.Workflow.String())
	msg.Header.Set(HeaderCommandType, typ)
	msg.Header.Set(HeaderCommandID, string(cmd.ID))
	if cmd.Correlation != "" {
		msg.Header.Set(HeaderCorrelation, string(cmd.Correlation))
	}
	if cmd.TraceParent != "" {
		msg.Header.Set(HeaderTraceParent, cmd.TraceParent)
	}
	msg.Header.Set(jetstream.MsgIDHeader, MsgID(id.Tenant, id.Process, cmd.ID))
	for _, o := range opts {
		o(msg)
	}
	return msg, nil
}

// Publish sends cmd to the process and waits for the stream's ack.
func Publish(ctx context.Context, js jetstream.JetStream, id engine.ProcessIdentity, codec *engine.Codec, cmd engine.Command, opts ...PublishOption) error {
	msg, err := Encode(id, codec, cmd, opts...)
	if err != nil {
		return err
	}
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("commandbus: publish %s to %s: %w", cmd.ID, msg.Subject, err)
	}
	return nil
}

// Addressed is a command message whose body is still encoded: the
// processor first picks the workflow (and so the codec) by Identity.
type Addressed struct {
	Identity    engine.ProcessIdentity
	CommandID   engine.CommandID
	CommandType string
	// NewProcess is true when the publisher has just spawned the process.
	NewProcess bool
	Body       []byte
}

// Decode reads the addressing of a command message.
func Decode(subject string, h nats.Header, body []byte) (Addressed, error) {
	parts := strings.Split(subject, ".")
	if len(parts) != 4 || parts[0]+"."+parts[1] != SubjectPrefix {
		return Addressed{}, fmt.Errorf("%w: subject %q", ErrMalformed, subject)
	}
	wf, err := engine.ParseWorkflowID(h.Get(HeaderWorkflow))
	if err != nil {
		return Addressed{}, fmt.Errorf("%w: %s: workflow header: %v", ErrMalformed, subject, err)
	}
	a := Addressed{
		Identity:    engine.ProcessIdentity{Tenant: engine.TenantID(parts[2]), Process: engine.ProcessID(parts[3]), Workflow: wf},
		CommandID:   engine.CommandID(h.Get(HeaderCommandID)),
		CommandType: h.Get(HeaderCommandType),
		NewProcess:  h.Get(HeaderNewProcess) == "1",
		Body:        body,
	}
	if err := a.Identity.Validate(); err != nil {
		return Addressed{}, fmt.Errorf("%w: %s: %v", ErrMalformed, subject, err)
	}
	return a, nil
}
