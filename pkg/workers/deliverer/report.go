package deliverer

import (
	"context"
	"errors"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/nats-io/nats.go/jetstream"
)

// Reporter tells a process about the outcome of one of its outbound
// messages.
//
// Contract: Report delivers cmd (a delivery.Confirmed or delivery.Failed
// command with a deterministic id) to the process id, or decides not to: it
// returns (false, nil) when the process's workflow does not register the
// command type (the report is optional per workflow) or is not run by this
// deployment. An error means the report may not have arrived; the deliverer
// retries it.
type Reporter interface {
	Report(ctx context.Context, id engine.ProcessIdentity, cmd engine.Command) (sent bool, err error)
}

// ProcessReporter publishes reports as commands on MAKO_COMMANDS
// (pkg/wire/command). The outbox message names the process and its workflow
// (headers Mako-Process, Mako-Workflow), so the reporter needs no event
// store: it sends the command only if that workflow's codec registers its
// type.
type ProcessReporter struct {
	js   jetstream.JetStream
	defs engine.Resolver
}

// NewProcessReporter returns a reporter resolving workflows with defs and
// publishing with js.
func NewProcessReporter(js jetstream.JetStream, defs engine.Resolver) *ProcessReporter {
	return &ProcessReporter{js: js, defs: defs}
}

// Report implements Reporter.
func (r *ProcessReporter) Report(ctx context.Context, id engine.ProcessIdentity, cmd engine.Command) (bool, error) {
	if err := id.Validate(); err != nil {
		return false, nil // not a process id: nothing to tell
	}
	def, err := r.defs.Resolve(id.Workflow)
	if err != nil {
		return false, nil // a workflow this deployment does not run
	}
	codec := def.Codec()
	if _, err := codec.EncodeCommand(cmd.Payload); err != nil {
		if errors.Is(err, engine.ErrInvalidArgument) {
			return false, nil // the workflow does not want this report
		}
		return false, err
	}
	if err := command.Publish(ctx, r.js, id, codec, cmd); err != nil {
		return false, err
	}
	return true, nil
}

// processOf returns the process an outbox message belongs to, from its
// tenant, process and workflow; false for a message of no process or one
// without a readable workflow id.
func processOf(m outbox.Message) (engine.ProcessIdentity, bool) {
	if m.Process == "" || m.Workflow == "" {
		return engine.ProcessIdentity{}, false
	}
	wf, err := engine.ParseWorkflowID(m.Workflow)
	if err != nil {
		return engine.ProcessIdentity{}, false
	}
	return engine.ProcessIdentity{Tenant: engine.TenantID(m.Tenant), Process: engine.ProcessID(m.Process), Workflow: wf}, true
}
