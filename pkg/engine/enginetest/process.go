package enginetest

import (
	"context"
	"fmt"

	"github.com/mako-engine/mako/pkg/engine"
)

// Process is a typed handle on one process instance running a Definition,
// for tests and benchmarks (the runtime itself goes through
// engine.Engine.Execute). Handles are cheap; any number may exist for one
// process, in one or many Engines.
type Process[S any] struct {
	ec  *engine.Engine
	def *engine.Definition[S]
	id  engine.ProcessIdentity
}

// Spawn returns a handle on a new process of d in the tenant. Nothing is
// stored until its first command; use SpawnOrResume to make the process
// findable by a key atomically.
func Spawn[S any](d *engine.Definition[S], ec *engine.Engine, tenant engine.TenantID) (*Process[S], error) {
	if err := d.Err(); err != nil {
		return nil, err
	}
	id, err := engine.NewIdentity(tenant, d.ID())
	if err != nil {
		return nil, err
	}
	return &Process[S]{ec: ec, def: d, id: id}, nil
}

// Resume returns a handle on the existing process id. The process's workflow
// name must be d's, and d must be allowed to run it: same format version, or
// d's version policy accepts d's format version for a process created under
// id's (engine.ErrVersionRejected otherwise).
func Resume[S any](d *engine.Definition[S], ec *engine.Engine, id engine.ProcessIdentity) (*Process[S], error) {
	if err := d.Err(); err != nil {
		return nil, err
	}
	if err := id.Validate(); err != nil {
		return nil, err
	}
	if id.Workflow.Name != d.ID().Name {
		return nil, fmt.Errorf("%w: process %s runs %s, not %s", engine.ErrUnknownWorkflow, id.Stream(), id.Workflow, d.ID())
	}
	if id.Workflow.FormatVersion.Compare(d.ID().FormatVersion) != 0 && !d.Policy().Accepts(id.Workflow.FormatVersion, d.ID().FormatVersion) {
		return nil, fmt.Errorf("%w: %s (%s) cannot run a process created under %s", engine.ErrVersionRejected, d.ID(), d.Policy(), id.Workflow.FormatVersion)
	}
	return &Process[S]{ec: ec, def: d, id: id}, nil
}

// SpawnOrResume resumes the process registered under the 1:1 key, or
// spawns one of d and registers it (create-only; see
// engine.Engine.SpawnOrResume). spawned reports which.
func SpawnOrResume[S any](ctx context.Context, d *engine.Definition[S], ec *engine.Engine, tenant engine.TenantID, key string) (p *Process[S], spawned bool, err error) {
	if err := d.Err(); err != nil {
		return nil, false, err
	}
	id, spawned, err := ec.SpawnOrResume(ctx, tenant, key, d.ID())
	if err != nil {
		return nil, false, err
	}
	p, err = Resume(d, ec, id)
	return p, spawned, err
}

// Identity returns the process identity (for the registry).
func (p *Process[S]) Identity() engine.ProcessIdentity { return p.id }

// Execute runs a command with a fresh random id, ReceivedAt from the
// Engine's clock and a fresh correlation id. Use ExecuteWithContext for
// commands from messages (their ids make them idempotent).
func (p *Process[S]) Execute(ctx context.Context, payload engine.CommandData) (engine.Result, error) {
	cmd := engine.CommandContext{Correlation: engine.NewCorrelationID()}.Command(engine.NewCommandID(), p.ec.Now().UTC(), payload)
	return p.ExecuteWithContext(ctx, cmd)
}

// ExecuteWithContext runs cmd, fully specified by the caller, and commits
// the decision: see engine.Engine.Execute for idempotency and concurrency.
func (p *Process[S]) ExecuteWithContext(ctx context.Context, cmd engine.Command) (engine.Result, error) {
	return p.ec.Execute(ctx, p.id, cmd, engine.Using(p.def))
}

// ExecuteWithRetry runs cmd, retrying conflicts only (engine.Retry).
func (p *Process[S]) ExecuteWithRetry(ctx context.Context, cmd engine.Command, attempts int) (engine.Result, error) {
	return p.ec.Execute(ctx, p.id, cmd, engine.Using(p.def), engine.Retry(attempts))
}

// FireDeadline reports a due deadline: see engine.Engine.FireDeadline.
func (p *Process[S]) FireDeadline(ctx context.Context, fired engine.DeadlineFired) (engine.Result, error) {
	return p.ec.FireDeadline(ctx, p.id, fired, engine.Using(p.def))
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
	st, v, _, err := p.ec.State(ctx, p.def, p.id, useSnapshot)
	if err != nil {
		return zero, 0, err
	}
	return st.(S), v, nil
}

// OpenDeadlines returns the process's deadlines that are set and neither
// cancelled nor fired, from a full replay.
func (p *Process[S]) OpenDeadlines(ctx context.Context) ([]engine.DeadlineSet, error) {
	_, _, open, err := p.ec.State(ctx, p.def, p.id, false)
	return open, err
}
