package gpke

import (
	"context"
	"fmt"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// WithSecondAnmeldung decides whether the LFN side suppresses an ERP
// RegisterSupplyStart for a MaLo while another Anmeldung of the tenant for
// it is unanswered (needs WithProcessIndex and WithMasterData, which wires
// Enrich). Default false: the second 55001 is sent and the NB decides by
// E_0622 step 70 (A06) — CHOICE: the BDEW documents in the references put
// the check on the NB only, and two ERP commands are two intents of the
// ERP. true: the process fails at once ("another Anmeldung pending"),
// without a 55001.
func WithSecondAnmeldung(suppress bool) Option {
	return func(cfg *config) error { cfg.suppressSecond = suppress; return nil }
}

// KeyAnswered is the business-key kind under which the Anmeldung processes
// of a MaLo (NB: gpke.nb.lieferbeginn, LFN: gpke.lfn.lieferbeginn; value:
// the MaLo-ID) are recorded once the Anmeldung is answered (55002/55003, an
// APERAK 313, or a confirmed Stornierung). With inbound.KeyMaLo — bound by
// every process in the decision that learns its MaLo — it tells Enrich which Anmeldungen of a MaLo are "in Arbeit
// und noch nicht beantwortet" (E_0622 step 70): bound under the MaLo, not
// under KeyAnswered. Registry sets only grow, so the set difference, not a
// removal, marks the end.
const KeyAnswered engine.KeyKind = "gpke-answered"

// AnsweredKey is the business key of the answered Anmeldungen of a MaLo.
func AnsweredKey(malo string) engine.BusinessKey {
	return engine.BusinessKey{Kind: KeyAnswered, Value: malo}
}

// MaLoKey is the business key of the processes of a MaLo (kind
// inbound.KeyMaLo; utilmdkit.MaLoKey).
func MaLoKey(malo string) engine.BusinessKey { return utilmdkit.MaLoKey(malo) }

// ProcessIndex reads the tenant's business-key sets (engine.Registry
// implements it). Enrich asks it, never Handle: the lookup is I/O.
type ProcessIndex = utilmdkit.ProcessIndex

// ProcessIndexFunc adapts a function to ProcessIndex (e.g. to bind the
// registry of a system built after the module).
type ProcessIndexFunc = utilmdkit.ProcessIndexFunc

// WithProcessIndex lets Enrich find the NB's pending Anmeldungen of a MaLo
// in the registry (E_0622 step 70 → A06, step 270 → A45): an Anmeldung
// process of gpke.nb.lieferbeginn bound under the MaLo and not yet under
// AnsweredKey, other than the asking process. Without it, PendingRegistration
// is whatever the MasterDataSource says (FromMaLo: false).
func WithProcessIndex(ix ProcessIndex) Option {
	return func(cfg *config) error {
		if ix == nil {
			return fmt.Errorf("gpke: nil process index")
		}
		cfg.index = ix
		return nil
	}
}

// pendingAnmeldung reports whether another unanswered Anmeldung of the MaLo
// is being processed by the tenant (E_0622 step 70). The registry is read,
// not locked, and a commit's keys are applied after it (commits.BindKeys):
// two Anmeldungen whose enrichments overlap that window can both see none,
// one arriving right after the other's answer can still see it pending,
// never can both see each other (docs/gpke.md, switch step 2).
func pendingAnmeldung(ctx context.Context, ix ProcessIndex, id engine.ProcessIdentity, malo string) (bool, error) {
	return pendingIn(ctx, ix, id, WorkflowNBLieferbeginn, malo)
}

// pendingIn reports whether a process of workflow wf other than id is bound
// under the MaLo and not under AnsweredKey.
func pendingIn(ctx context.Context, ix ProcessIndex, id engine.ProcessIdentity, wf, malo string) (bool, error) {
	return utilmdkit.PendingIn(ctx, ix, id, wf, MaLoKey(malo), AnsweredKey(malo))
}
