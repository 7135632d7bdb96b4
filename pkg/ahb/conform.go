package ahb

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

// ErrNonConformant marks an outbound interchange of ours that violates the
// AHB of one of its transactions.
var ErrNonConformant = errors.New("ahb: outbound message violates its AHB")

// NonConformantError is the refusal Conform returns: the message type, the
// format version, the PIDs and the findings that keep the interchange from
// leaving. It wraps ErrNonConformant and implements Refusal.
type NonConformantError struct {
	FV          string
	MessageType string
	PIDs        []string
	Findings    []Finding
}

// Error lists the rules of the findings.
func (e *NonConformantError) Error() string {
	rules := make([]string, 0, len(e.Findings))
	for _, f := range e.Findings {
		rules = append(rules, f.Rule)
	}
	return fmt.Sprintf("%s %s %s: %d AHB findings: %s", e.FV, e.MessageType, strings.Join(e.PIDs, ","),
		len(e.Findings), strings.Join(rules, "; "))
}

// Unwrap returns ErrNonConformant.
func (e *NonConformantError) Unwrap() error { return ErrNonConformant }

// RefusedPIDs returns the PIDs of the refused message (Refusal).
func (e *NonConformantError) RefusedPIDs() []string { return e.PIDs }

var _ Refusal = (*NonConformantError)(nil)

// Conform is the check every producer of outbound EDIFACT runs before the
// interchange is committed or sent: each message of payload is validated for
// format version v (explicit, never a clock). With strict, any finding
// refuses the interchange (what a workflow builds must be exactly what the
// AHB demands); without it, only findings that make a receiver reject it
// (Finding.Rejects) do — for the answers ingest and the processor build from
// a counterpart's faulty input, whose APERAK/CONTRL AHB is hand-written and
// marks as required only what the reference states. A condition pkg/ahb
// cannot decide is never a finding. The error is a *NonConformantError, or
// a parse or validation error.
func Conform(payload []byte, v fv.Version, strict bool) error {
	ix, err := edifact.Parse(payload)
	if err != nil {
		return fmt.Errorf("ahb: outbound interchange unparsable: %w", err)
	}
	if len(ix.Messages) == 0 {
		return errors.New("ahb: outbound interchange holds no message")
	}
	for i := range ix.Messages {
		m := &ix.Messages[i]
		rep, err := Validate(m, WithFV(v), WithoutNotEvaluated())
		if err != nil {
			return err
		}
		if (strict && !rep.Clean()) || (!strict && len(rep.Rejecting()) > 0) {
			return &NonConformantError{FV: v.String(), MessageType: m.Type(), PIDs: rep.PIDs, Findings: rep.Findings}
		}
	}
	return nil
}
