package utilmdkit

import (
	"context"

	"github.com/mako-engine/mako/pkg/engine"
)

// ProcessIndex reads the tenant's business-key sets (engine.Registry
// implements it). A family's Enrich asks it, never Handle: the lookup is
// I/O.
type ProcessIndex interface {
	LookupAll(ctx context.Context, tenant engine.TenantID, key engine.BusinessKey) ([]engine.ProcessIdentity, error)
}

// ProcessIndexFunc adapts a function to ProcessIndex (e.g. to bind the
// registry of a system built after the module).
type ProcessIndexFunc func(ctx context.Context, tenant engine.TenantID, key engine.BusinessKey) ([]engine.ProcessIdentity, error)

// LookupAll implements ProcessIndex.
func (f ProcessIndexFunc) LookupAll(ctx context.Context, tenant engine.TenantID, key engine.BusinessKey) ([]engine.ProcessIdentity, error) {
	return f(ctx, tenant, key)
}

// PendingIn reports whether a process of workflow wf other than id is bound
// under all (e.g. the MaLo's key) and not under done (the key bound when
// the process's request is answered). The registry is read, not locked,
// and keys are applied after their commit: two enrichments within that
// window can both see none.
func PendingIn(ctx context.Context, ix ProcessIndex, id engine.ProcessIdentity, wf string, all, done engine.BusinessKey) (bool, error) {
	bound, err := ix.LookupAll(ctx, id.Tenant, all)
	if err != nil {
		return false, err
	}
	answered, err := ix.LookupAll(ctx, id.Tenant, done)
	if err != nil {
		return false, err
	}
	finished := map[engine.ProcessID]bool{}
	for _, a := range answered {
		finished[a.Process] = true
	}
	for _, p := range bound {
		if p.Workflow.Name == wf && p.Process != id.Process && !finished[p.Process] {
			return true, nil
		}
	}
	return false, nil
}
