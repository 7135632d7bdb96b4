package ingest

import (
	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/aperak"
)

// APERAKResponder is the default Responder: an APERAK 313 with the
// rejection's ERC code (edifact.md §11), built with pkg/edifact/aperak and
// addressed back to the sender of the rejected transaction. An AHB
// rejection gets one ERC group per finding, each with the finding's code, a
// short text (FTX+AAO) and the location of the fault (FTX+Z02, mandatory
// for Z29, Z35, Z39, Z40): the AHB name of the segment or group and, for a
// faulty value or a repetition, the faulty segment verbatim.
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
	problems := []aperak.Problem{{Code: r.Code, Text: r.Text}}
	if len(r.Findings) > 0 {
		problems = problems[:0]
		for i := range r.Findings {
			problems = append(problems, problemOf(r.Message, &r.Findings[i]))
		}
	}
	out, err := aperak.Build(aperak.Params{FormatVersion: r.Version, Ref: r.Ref, Time: r.At}, aperak.Message{
		Ref: "1", DocumentNumber: r.Ref, Reference: ref, Problems: problems,
	})
	if err != nil {
		return nil, "", err
	}
	return out, r.Ref, nil
}

// problemOf is the ERC group of AHB finding f of message m.
func problemOf(m *edifact.Message, f *ahb.Finding) aperak.Problem {
	name := f.Section
	if name == "" {
		name = f.Tag
		if f.Qualifier != "" {
			name += "+" + f.Qualifier
		}
	}
	loc := aperak.Location{Name: name}
	switch f.Kind {
	case ahb.KindCode, ahb.KindFormat, ahb.KindRepetition:
		// The finding points at the faulty segment itself (for a missing
		// one it points at the group that lacks it: no verbatim part).
		if m != nil && f.Segment >= 0 && f.Segment < len(m.Segments) {
			loc = aperak.LocationOf(name, &m.Segments[f.Segment])
		}
	}
	return aperak.Problem{Code: f.APERAK, Text: problemText(f), Location: &loc}
}
