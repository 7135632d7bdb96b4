package gpke

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/fv"
)

// ErrNonConformant marks an outbound message that violates the AHB of its
// PID and format version. The workflow refuses the decision (Handle returns
// a *NonConformantError), so the engine commits nothing, nothing is sent and
// the processor dead-letters the command with the findings.
var ErrNonConformant = errors.New("gpke: outbound message violates its AHB")

// NonConformantError names the outbound message a decision would have sent
// and the AHB findings (pkg/ahb) that keep it from leaving. It wraps
// ErrNonConformant.
type NonConformantError struct {
	Workflow    string
	FV          string
	MessageType string
	PIDs        []string
	Recipient   string
	Findings    []ahb.Finding
}

// Error lists the rules of the findings.
func (e *NonConformantError) Error() string {
	rules := make([]string, 0, len(e.Findings))
	for _, f := range e.Findings {
		rules = append(rules, f.Rule)
	}
	return fmt.Sprintf("%s: %s %s %s to %s: %d AHB findings: %s", e.Workflow, e.FV, e.MessageType,
		strings.Join(e.PIDs, ","), e.Recipient, len(e.Findings), strings.Join(rules, "; "))
}

// Unwrap returns ErrNonConformant.
func (e *NonConformantError) Unwrap() error { return ErrNonConformant }

// RefusedPIDs returns the PIDs of the refused message (ahb.Refusal).
func (e *NonConformantError) RefusedPIDs() []string { return e.PIDs }

var _ ahb.Refusal = (*NonConformantError)(nil)

// conform validates an outbound interchange against the AHB of each of its
// transactions for format version v (explicit, never a clock) with
// ahb.Conform in strict mode: any finding — rejecting or not — is a defect
// of ours, so it refuses the message. A condition pkg/ahb cannot decide is
// no finding (three-valued evaluation).
func (f flow) conform(v fv.Version, typ, recipient string, payload []byte) error {
	err := ahb.Conform(payload, v, true)
	var nc *ahb.NonConformantError
	if errors.As(err, &nc) {
		return &NonConformantError{Workflow: f.name, FV: nc.FV, MessageType: typ, PIDs: nc.PIDs, Recipient: recipient, Findings: nc.Findings}
	}
	if err != nil {
		return fmt.Errorf("gpke: %s: outbound %s: %w", f.name, typ, err)
	}
	return nil
}
