package deliverer

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/nats-io/nats.go/jetstream"
)

// Reporter tells a process about the outcome of one of its outbound
// messages.
//
// Contract: Report delivers cmd (a delivery.Confirmed or delivery.Failed
// command with a deterministic id) to the process, or decides not to: it
// returns (false, nil) when the process's workflow does not register the
// command type (the report is optional per workflow) or the process is
// unknown. An error means the report may not have arrived; the deliverer
// retries it.
type Reporter interface {
	Report(ctx context.Context, tenant engine.TenantID, process engine.ProcessID, cmd engine.Command) (sent bool, err error)
}

// ProcessReporter publishes reports as commands on MAKO_COMMANDS
// (pkg/wire/command). The outbox message names the process but not its
// workflow, so the reporter reads the workflow id from the process's first
// event (the engine's event store) and keeps it in a bounded cache; it
// sends the command only if that workflow's codec registers its type.
type ProcessReporter struct {
	js     jetstream.JetStream
	ec     *engine.EngineContext
	mu     sync.Mutex
	cache  map[engine.StreamID]engine.WorkflowID
	maxLen int
}

// NewProcessReporter returns a reporter resolving workflows with ec and
// publishing with js.
func NewProcessReporter(js jetstream.JetStream, ec *engine.EngineContext) *ProcessReporter {
	return &ProcessReporter{js: js, ec: ec, cache: map[engine.StreamID]engine.WorkflowID{}, maxLen: 8192}
}

var errStopFold = errors.New("stop")

// Report implements Reporter.
func (r *ProcessReporter) Report(ctx context.Context, tenant engine.TenantID, process engine.ProcessID, cmd engine.Command) (bool, error) {
	sid := engine.StreamOf(tenant, process)
	if err := sid.Validate(); err != nil {
		return false, nil // not a process id: nothing to tell
	}
	wf, ok, err := r.workflow(ctx, sid)
	if err != nil || !ok {
		return false, err
	}
	def, err := r.ec.Resolve(wf)
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
	id := engine.ProcessIdentity{Tenant: tenant, Process: process, Workflow: wf}
	if err := command.Publish(ctx, r.js, id, codec, cmd); err != nil {
		return false, err
	}
	return true, nil
}

func (r *ProcessReporter) workflow(ctx context.Context, sid engine.StreamID) (engine.WorkflowID, bool, error) {
	r.mu.Lock()
	wf, ok := r.cache[sid]
	r.mu.Unlock()
	if ok {
		return wf, true, nil
	}
	var found bool
	err := r.ec.EventStore().Fold(ctx, sid, 0, func(env engine.EventEnvelope) error {
		wf, found = env.Workflow, true
		return errStopFold
	})
	if err != nil && !errors.Is(err, errStopFold) {
		return engine.WorkflowID{}, false, fmt.Errorf("deliverer: workflow of %s: %w", sid, err)
	}
	if !found {
		return engine.WorkflowID{}, false, nil
	}
	r.mu.Lock()
	if len(r.cache) >= r.maxLen {
		clear(r.cache) // a simple bound; entries are cheap to reload
	}
	r.cache[sid] = wf
	r.mu.Unlock()
	return wf, true, nil
}
