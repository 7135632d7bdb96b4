package malo

import (
	"context"
	"fmt"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/module"
)

// Enrichable is implemented by command payloads that want the master data
// of a MaLo in the command (gpke-contract.md §6). MaLoID names the MaLo
// ("" = none, the payload stays as it is); WithMaLo returns a copy of the
// payload carrying rec (nil: the tenant has no record of the MaLo — a fact
// the workflow decides on, e.g. "MaLo unknown").
type Enrichable interface {
	engine.CommandData
	MaLoID() string
	WithMaLo(rec *Record) engine.CommandData
}

// Enricher returns a module.Enricher that fills every Enrichable
// payload with the tenant's current record of its MaLo from r. Payloads
// that are not Enrichable are left alone. An invalid MaLo-ID is not an
// enrichment failure: the payload gets nil, and the workflow rejects the
// request as its rules say. Read failures are returned (the processor
// retries the command).
func Enricher(r Reader) module.Enricher {
	return func(ctx context.Context, id engine.ProcessIdentity, cmd *engine.Command) error {
		p, ok := cmd.Payload.(Enrichable)
		if !ok {
			return nil
		}
		mid := p.MaLoID()
		if mid == "" {
			return nil
		}
		if ValidateKey(string(id.Tenant), mid) != nil {
			cmd.Payload = p.WithMaLo(nil)
			return nil
		}
		rec, err := r.Lookup(ctx, string(id.Tenant), mid)
		if err != nil {
			return fmt.Errorf("malo: enrich %s for %s: %w", mid, id, err)
		}
		cmd.Payload = p.WithMaLo(rec)
		return nil
	}
}
