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
// By and Reason. The deadline is found by the engine's own fold of the
// process's deadline events (engine.OpenDeadlines over events): the latest
// set deadline with the label that was neither cancelled nor fired. It
// returns the fired deadline.
func Force(ctx context.Context, js jetstream.JetStream, events engine.EventStore, r ForceRequest) (engine.DeadlineFired, error) {
	if r.By == "" || r.Reason == "" {
		return engine.DeadlineFired{}, ErrAuditMissing
	}
	if err := r.Tenant.Validate(); err != nil {
		return engine.DeadlineFired{}, fmt.Errorf("scheduler: force: %w", err)
	}
	id, version, open, err := engine.OpenDeadlines(ctx, events, engine.StreamOf(r.Tenant, r.Process))
	if err != nil {
		return engine.DeadlineFired{}, fmt.Errorf("scheduler: force %s/%s: %w", r.Tenant, r.Process, err)
	}
	if version == 0 {
		return engine.DeadlineFired{}, fmt.Errorf("scheduler: force: %w: process %s/%s has no history", ErrNoOpenDeadline, r.Tenant, r.Process)
	}
	var labels []string
	for i := len(open) - 1; i >= 0; i-- { // the latest set first
		d := open[i]
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
