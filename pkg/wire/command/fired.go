package command

import (
	"context"
	"fmt"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/vmihailenco/msgpack/v5"
)

// EncodeFired builds the command message that reports a fired deadline to
// its process. Its command type is engine.EventDeadlineFired and its id
// engine.FireCommandID(fired.ID): a deadline fired twice is one command.
func EncodeFired(id engine.ProcessIdentity, fired engine.DeadlineFired) (*nats.Msg, error) {
	if err := id.Validate(); err != nil {
		return nil, fmt.Errorf("commandbus: %w", err)
	}
	if fired.ID == "" || fired.FiredAt.IsZero() {
		return nil, fmt.Errorf("commandbus: fired deadline for %s needs id and fired-at", id)
	}
	body, err := msgpack.Marshal(fired)
	if err != nil {
		return nil, fmt.Errorf("commandbus: encode fired deadline %s: %w", fired.ID, err)
	}
	cid := engine.FireCommandID(fired.ID)
	msg := nats.NewMsg(Subject(id.Tenant, id.Process))
	msg.Data = body
	msg.Header.Set(HeaderTenant, string(id.Tenant))
	msg.Header.Set(HeaderProcess, string(id.Process))
	msg.Header.Set(HeaderWorkflow, id.Workflow.String())
	msg.Header.Set(HeaderCommandType, engine.EventDeadlineFired)
	msg.Header.Set(HeaderCommandID, string(cid))
	msg.Header.Set(jetstream.MsgIDHeader, MsgID(id.Tenant, id.Process, cid))
	return msg, nil
}

// PublishFired sends a fired-deadline command and waits for the ack.
func PublishFired(ctx context.Context, js jetstream.JetStream, id engine.ProcessIdentity, fired engine.DeadlineFired) error {
	msg, err := EncodeFired(id, fired)
	if err != nil {
		return err
	}
	if _, err := js.PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("commandbus: publish fired deadline %s to %s: %w", fired.ID, msg.Subject, err)
	}
	return nil
}

// DecodeFired decodes the body of a fired-deadline command.
func DecodeFired(body []byte) (engine.DeadlineFired, error) {
	var f engine.DeadlineFired
	if err := msgpack.Unmarshal(body, &f); err != nil {
		return engine.DeadlineFired{}, fmt.Errorf("%w: fired deadline: %v", ErrMalformed, err)
	}
	if f.ID == "" || f.FiredAt.IsZero() {
		return engine.DeadlineFired{}, fmt.Errorf("%w: fired deadline without id or time", ErrMalformed)
	}
	return f, nil
}
