package ingest

import (
	"github.com/mako-engine/mako/pkg/edifact/aperak"
)

// APERAKResponder is the default Responder: an APERAK 313 with the
// rejection's ERC code (edifact.md §11), built with pkg/edifact/aperak and
// addressed back to the sender of the rejected transaction.
type APERAKResponder struct{}

// Reject implements Responder. A reference the message does not carry
// cleanly (a malformed DTM+137, a missing NAD) is completed from the
// interchange header (aperak.BestEffortReference), so the sender still gets
// the APERAK.
func (APERAKResponder) Reject(r Rejection) ([]byte, string, error) {
	tx := r.Transaction
	ref, err := aperak.BestEffortReference(r.Interchange, r.Message, &tx, r.At)
	if ref.Interchange == "" {
		return nil, "", err
	}
	out, err := aperak.Build(aperak.Params{FormatVersion: r.Version, Ref: r.Ref, Time: r.At}, aperak.Message{
		Ref: "1", DocumentNumber: r.Ref, Reference: ref,
		Problems: []aperak.Problem{{Code: r.Code, Text: r.Text}},
	})
	if err != nil {
		return nil, "", err
	}
	return out, r.Ref, nil
}
