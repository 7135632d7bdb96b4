package scheduler

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/nats-io/nats.go/jetstream"
)

// Errors of Force.
var (
	// ErrNoOpenDeadline: the process has no open deadline with the label.
	ErrNoOpenDeadline = errors.New("scheduler: no open deadline")
	// ErrAuditMissing: a forced fire needs who and why.
	ErrAuditMissing = errors.New("scheduler: forced fire needs --by and --reason")
)

// ForceRequest names the deadline an operator fires by hand and records who
// and why (the Klärfall audit).
type ForceRequest struct {
	Tenant  engine.TenantID
	Process engine.ProcessID
	Label   string
	By      string
	Reason  string
	// At is the fire time (the caller's clock; the CLI's now). The
	// workflow decides at the earlier of it and the deadline's due time.
	At time.Time
}

// Force fires an open deadline of a process now, through the same path as
// the scheduler: it publishes the fired-deadline command (pkg/wire/command,
// command id derived from the deadline, so a repeated Force or the timer's
// own fire later is one command) to the process's command subject; the
// processor executes it and the engine records "mako.deadline.fired" with
// By and Reason. The deadline is found in the process's event history
// (events): the latest mako.deadline.set with the label that was neither
// cancelled nor fired. It returns the fired deadline.
func Force(ctx context.Context, js jetstream.JetStream, events engine.EventStore, r ForceRequest) (engine.DeadlineFired, error) {
	if r.By == "" || r.Reason == "" {
		return engine.DeadlineFired{}, ErrAuditMissing
	}
	if err := r.Tenant.Validate(); err != nil {
		return engine.DeadlineFired{}, fmt.Errorf("scheduler: force: %w", err)
	}
	envs, err := events.Load(ctx, engine.StreamOf(r.Tenant, r.Process))
	if err != nil {
		return engine.DeadlineFired{}, fmt.Errorf("scheduler: force %s/%s: %w", r.Tenant, r.Process, err)
	}
	if len(envs) == 0 {
		return engine.DeadlineFired{}, fmt.Errorf("scheduler: force: %w: process %s/%s has no history", ErrNoOpenDeadline, r.Tenant, r.Process)
	}
	open := map[engine.DeadlineID]engine.DeadlineSet{}
	var order []engine.DeadlineID
	var id engine.ProcessIdentity
	for _, env := range envs {
		id = engine.ProcessIdentity{Tenant: env.Tenant, Process: env.Process, Workflow: env.Workflow}
		if !engine.IsEngineEventType(env.Type) {
			continue
		}
		v, err := engine.DecodeEngineEvent(env)
		if err != nil {
			return engine.DeadlineFired{}, fmt.Errorf("scheduler: force %s/%s: %w", r.Tenant, r.Process, err)
		}
		switch e := v.(type) {
		case *engine.DeadlineSet:
			open[e.ID] = *e
			order = append(order, e.ID)
		case *engine.DeadlineCancelled:
			delete(open, e.ID)
		case *engine.DeadlineFired:
			delete(open, e.ID)
		}
	}
	var labels []string
	for i := len(order) - 1; i >= 0; i-- {
		d, ok := open[order[i]]
		if !ok {
			continue
		}
		if d.Label == r.Label {
			fired := engine.DeadlineFired{ID: d.ID, Label: d.Label, Due: d.Due, FiredAt: r.At.UTC(), By: r.By, Reason: r.Reason}
			if err := command.PublishFired(ctx, js, id, fired); err != nil {
				return engine.DeadlineFired{}, err
			}
			return fired, nil
		}
		if !slices.Contains(labels, d.Label) {
			labels = append(labels, d.Label)
		}
	}
	return engine.DeadlineFired{}, fmt.Errorf("scheduler: force: %w %q in process %s/%s (open: %v)", ErrNoOpenDeadline, r.Label, r.Tenant, r.Process, labels)
}
