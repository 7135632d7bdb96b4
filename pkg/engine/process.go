package engine

import (
	"context"
	"fmt"
)

// Process is a typed handle on one process instance running a Definition.
// Handles are cheap; any number may exist for one process, in one or many
// Engines.
type Process[S any] struct {
	ec  *Engine
	def *Definition[S]
	id  ProcessIdentity
}

// Spawn returns a handle on a new process of d in the tenant. Nothing is
// stored until its first command; use SpawnOrResume to make the process
// findable by a key atomically.
func (d *Definition[S]) Spawn(ec *Engine, tenant TenantID) (*Process[S], error) {
	if d.err != nil {
		return nil, d.err
	}
	id, err := NewIdentity(tenant, d.id)
	if err != nil {
		return nil, err
	}
	return &Process[S]{ec: ec, def: d, id: id}, nil
}

// Resume returns a handle on the existing process id. The process's workflow
// name must be d's, and d must be allowed to run it: same format version, or
// d's version policy accepts d's format version for a process created under
// id's (ErrVersionRejected otherwise).
func (d *Definition[S]) Resume(ec *Engine, id ProcessIdentity) (*Process[S], error) {
	if d.err != nil {
		return nil, d.err
	}
	if err := id.Validate(); err != nil {
		return nil, err
	}
	if id.Workflow.Name != d.id.Name {
		return nil, fmt.Errorf("%w: process %s runs %s, not %s", ErrUnknownWorkflow, id.Stream(), id.Workflow, d.id)
	}
	if id.Workflow.FormatVersion.Compare(d.id.FormatVersion) != 0 && !d.policy.Accepts(id.Workflow.FormatVersion, d.id.FormatVersion) {
		return nil, fmt.Errorf("%w: %s (%s) cannot run a process created under %s", ErrVersionRejected, d.id, d.policy, id.Workflow.FormatVersion)
	}
	return &Process[S]{ec: ec, def: d, id: id}, nil
}

// SpawnOrResume resumes the process registered under the 1:1 key, or
// spawns one of d and registers it (create-only; see
// Engine.SpawnOrResume). spawned reports which.
func (d *Definition[S]) SpawnOrResume(ctx context.Context, ec *Engine, tenant TenantID, key string) (p *Process[S], spawned bool, err error) {
	if d.err != nil {
		return nil, false, d.err
	}
	id, spawned, err := ec.SpawnOrResume(ctx, tenant, key, d.id)
	if err != nil {
		return nil, false, err
	}
	p, err = d.Resume(ec, id)
	return p, spawned, err
}

// Identity returns the process identity (for the registry).
func (p *Process[S]) Identity() ProcessIdentity { return p.id }

// Execute runs a command with a fresh random id, ReceivedAt from the
// Engine's clock and a fresh correlation id. Use ExecuteWithContext
// for commands from messages (their ids make them idempotent).
func (p *Process[S]) Execute(ctx context.Context, payload CommandData) (Result, error) {
	cmd := CommandContext{Correlation: NewCorrelationID()}.Command(NewCommandID(), p.ec.now().UTC(), payload)
	return p.ExecuteWithContext(ctx, cmd)
}

// ExecuteWithContext runs cmd, fully specified by the caller, and commits
// the decision: see Engine.Execute for idempotency and concurrency.
func (p *Process[S]) ExecuteWithContext(ctx context.Context, cmd Command) (Result, error) {
	return p.ec.execute(ctx, p.def, p.id, cmd, nil, false)
}

// ExecuteWithRetry runs cmd, retrying conflicts only: see
// Engine.ExecuteWithRetry.
func (p *Process[S]) ExecuteWithRetry(ctx context.Context, cmd Command, attempts int) (Result, error) {
	return p.ec.executeWithRetry(ctx, p.def, p.id, cmd, nil, attempts)
}

// FireDeadline reports a due deadline: see Engine.FireDeadline.
func (p *Process[S]) FireDeadline(ctx context.Context, fired DeadlineFired) (Result, error) {
	return p.ec.fireDeadline(ctx, p.def, p.id, fired)
}

// State replays the whole stream (no cache, no snapshot) and returns the
// state and the stream version. It takes no lock.
func (p *Process[S]) State(ctx context.Context) (S, uint64, error) {
	return p.state(ctx, false)
}

// StateWithSnapshot returns the state from the latest snapshot plus the
// events after it, falling back to full replay when there is no snapshot or
// its state schema version differs.
func (p *Process[S]) StateWithSnapshot(ctx context.Context) (S, uint64, error) {
	return p.state(ctx, true)
}

func (p *Process[S]) state(ctx context.Context, useSnapshot bool) (S, uint64, error) {
	var zero S
	l, err := p.ec.load(ctx, p.def, p.id.Stream(), useSnapshot)
	if err != nil {
		return zero, 0, err
	}
	return l.state.(S), l.version, nil
}

// OpenDeadlines returns the process's deadlines that are set and neither
// cancelled nor fired, from a full replay.
func (p *Process[S]) OpenDeadlines(ctx context.Context) ([]DeadlineSet, error) {
	l, err := p.ec.load(ctx, p.def, p.id.Stream(), false)
	if err != nil {
		return nil, err
	}
	out := make([]DeadlineSet, 0, len(l.deadlines))
	for _, d := range l.deadlines {
		out = append(out, d.DeadlineSet)
	}
	sortDeadlines(out)
	return out, nil
}
