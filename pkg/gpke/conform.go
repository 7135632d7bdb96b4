package gpke

import (
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// ErrNonConformant marks an outbound message that violates the AHB of its
// PID and format version. The workflow refuses the decision (Handle returns
// a *NonConformantError), so the engine commits nothing, nothing is sent and
// the processor dead-letters the command (shared with the other families:
// utilmdkit.ErrNonConformant).
var ErrNonConformant = utilmdkit.ErrNonConformant

// NonConformantError names the outbound message a decision would have sent
// and the AHB findings (pkg/ahb) that keep it from leaving. It wraps
// ErrNonConformant (the type is utilmdkit.NonConformantError).
type NonConformantError = utilmdkit.NonConformantError

// conform validates an outbound interchange against the AHB for format
// version v in strict mode (utilmdkit.Conform): any finding refuses it.
func (f flow) conform(v fv.Version, typ, recipient string, payload []byte) error {
	return utilmdkit.Conform(f.name, v, typ, recipient, payload)
}
