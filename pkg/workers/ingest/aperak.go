package ingest

import (
	"github.com/mako-engine/mako/pkg/edifact/aperak"
)

// APERAKResponder is the default Responder: an APERAK 313 with the
// rejection's ERC code (edifact.md §11), built with pkg/edifact/aperak and
// addressed back to the sender of the rejected transaction.
type APERAKResponder struct{}

// Reject implements Responder.
func (APERAKResponder) Reject(r Rejection) ([]byte, string, error) {
	tx := r.Transaction
	ref, err := aperak.ReferenceFrom(r.Interchange, r.Message, &tx)
	if err != nil {
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
