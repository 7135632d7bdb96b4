package ahb

import (
	"fmt"

	"github.com/mako-engine/mako/pkg/edifact"
)

// Kind classifies a finding.
type Kind uint8

// Finding kinds. The value kinds (KindCode, KindFormat, KindMIGFormat) are
// about the content of a data element; the others about presence and
// structure.
const (
	// KindMissingGroup: a group instance the AHB requires is missing (Z29).
	KindMissingGroup Kind = iota + 1
	// KindMissingSegment: a segment the AHB requires is missing (Z29).
	KindMissingSegment
	// KindMissingElement: a data element the AHB requires is empty (Z29).
	KindMissingElement
	// KindCode: a code outside the AHB's list for the data element (Z39).
	KindCode
	// KindFormat: a value that violates a format condition [9xx] or the DTM
	// format its format code names (Z35).
	KindFormat
	// KindMIGFormat: a value that violates the MIG format (an..35, n..15 …);
	// a CONTRL (UCD) error.
	KindMIGFormat
	// KindMIGStructure: a segment the MIG tree does not allow at its place
	// or out of MIG order; a CONTRL (UCS 15) error.
	KindMIGStructure
	// KindNotForeseen: a segment or group instance the PID's AHB column does
	// not foresee. The APERAK AHB (§2.1) tells the receiver to ignore such
	// content, so it is no rejection reason inbound; outbound it is a defect.
	KindNotForeseen
	// KindNotAllowed: a segment whose AHB condition is decided false (the
	// line must not be used). Like KindNotForeseen, no rejection reason
	// inbound.
	KindNotAllowed
	// KindRepetition: a segment or group variant repeated although the AHB
	// allows it exactly once per transaction (UTILMD [2061]) (Z40).
	KindRepetition
)

var kindNames = [...]string{"", "missing-group", "missing-segment", "missing-element", "code", "format", "mig-format", "mig-structure", "not-foreseen", "not-allowed", "repetition"}

// String returns the stable kind name used in rule ids, e.g. "missing-segment".
func (k Kind) String() string {
	if int(k) < len(kindNames) && k > 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// MarshalText encodes the kind by name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText decodes a kind name written by MarshalText.
func (k *Kind) UnmarshalText(b []byte) error {
	for i, n := range kindNames {
		if i > 0 && n == string(b) {
			*k = Kind(i)
			return nil
		}
	}
	return fmt.Errorf("ahb: unknown finding kind %q", b)
}

// IsValue reports whether the kind is about a data element's value (code,
// format condition, MIG format) rather than presence or structure.
func (k Kind) IsValue() bool { return k == KindCode || k == KindFormat || k == KindMIGFormat }

// APERAK returns the APERAK error code (DE9321, edifact.md §11.5) the kind
// maps to, "" when the kind is no AHB rejection reason (MIG kinds are CONTRL
// errors; not-foreseen content is ignored by the receiver).
func (k Kind) APERAK() string {
	switch k {
	case KindMissingGroup, KindMissingSegment, KindMissingElement:
		return "Z29"
	case KindCode:
		return "Z39"
	case KindFormat:
		return "Z35"
	case KindRepetition:
		return "Z40"
	}
	return ""
}

// Finding is one violation of the AHB or MIG in a transaction.
type Finding struct {
	// Rule is the stable rule id: "<kind>@<PID>:<AHB line id>", e.g.
	// "missing-segment@55001:SG4/SG8/SEQ+Z01". For MIG kinds the line id is
	// the group path and tag.
	Rule string `json:"rule"`
	// Kind classifies the finding.
	Kind Kind `json:"kind"`
	// PID is the Prüfidentifikator whose AHB column was applied.
	PID string `json:"pid,omitempty"`
	// Transaction is the transaction id (IDE 7402 …), "" for message level.
	Transaction string `json:"transaction,omitempty"`
	// Segment is the 0-based index of the segment concerned in
	// Message.Segments; for a missing segment or group, the segment that
	// opens the group instance where it is missing (UNH at message level).
	Segment int `json:"segment"`
	// Position is the CONTRL segment position of Segment (UNH = 1).
	Position int `json:"position"`
	// Group is the group path of the instance, e.g. "SG4/SG8"; "" at message level.
	Group string `json:"group,omitempty"`
	// Tag and Qualifier name the AHB line (the missing or faulty segment).
	Tag       string `json:"tag"`
	Qualifier string `json:"qualifier,omitempty"`
	// DataElement is the data element id (e.g. "2380"); Element and
	// Component its 1-based position (CONTRL DE0098/DE0104), 0 if none.
	DataElement string `json:"data_element,omitempty"`
	Element     int    `json:"element,omitempty"`
	Component   int    `json:"component,omitempty"`
	// Section is the AHB's name of the line ("Beginn zum", "Daten der
	// Marktlokation"), e.g. for the location text of an APERAK FTX+Z02.
	Section string `json:"section,omitempty"`
	// Expr is the AHB expression that was violated.
	Expr string `json:"expr,omitempty"`
	// Value is the offending value, if any.
	Value string `json:"value,omitempty"`
	// APERAK is the APERAK error code (DE9321) the finding maps to, "" when
	// it is no AHB rejection reason (see Kind.APERAK).
	APERAK string `json:"aperak,omitempty"`
	// Level and Code are the CONTRL level and DE0085 code of a MIG finding
	// (0 otherwise).
	Level edifact.Level `json:"contrl_level,omitempty"`
	Code  edifact.Code  `json:"contrl_code,omitempty"`
	// Text explains the finding in one sentence.
	Text string `json:"text"`
}

// Rejects reports whether the finding is a reason to reject the transaction
// inbound: an APERAK AHB error or a CONTRL MIG error.
func (f *Finding) Rejects() bool { return f.APERAK != "" || f.Code != 0 }

// NotEvaluated is an AHB line whose requirement could not be decided because
// a condition has no predicate or lacks context. It is reported, never
// counted as a pass or as a violation.
type NotEvaluated struct {
	// Rule is the line id as in Finding.Rule (without the kind).
	Rule string `json:"rule"`
	// Segment is the segment index concerned (as in Finding.Segment).
	Segment int `json:"segment"`
	// DataElement is set for a data element line.
	DataElement string `json:"data_element,omitempty"`
	// Expr is the AHB expression.
	Expr string `json:"expr"`
	// Conditions are the conditions that were not evaluated, e.g. "[480]".
	Conditions []string `json:"conditions"`
}

// Report is the result of validating one message.
type Report struct {
	// FV, Type, Sector and Version name the AHB/MIG applied.
	FV      string `json:"fv"`
	Type    string `json:"type"`
	Sector  string `json:"sector,omitempty"`
	Version string `json:"version,omitempty"`
	// PIDs are the PIDs applied, one per transaction in order.
	PIDs []string `json:"pids"`
	// Findings are the violations in segment order.
	Findings []Finding `json:"findings"`
	// NotEvaluated are the lines whose conditions could not be decided.
	NotEvaluated []NotEvaluated `json:"not_evaluated,omitempty"`
}

// Clean reports whether the report has no finding.
func (r *Report) Clean() bool { return len(r.Findings) == 0 }

// Rejecting returns the findings that reject the transaction inbound.
func (r *Report) Rejecting() []Finding {
	var out []Finding
	for _, f := range r.Findings {
		if f.Rejects() {
			out = append(out, f)
		}
	}
	return out
}

// ContrlFindings returns the MIG findings of the report (those with a CONTRL
// level and code) as pkg/edifact findings of msg, ready to be appended to an
// edifact.Report for edifact.BuildCONTRL: segment index and byte offset in
// the interchange, message index and reference, CONTRL position, data
// element and component position.
func (r *Report) ContrlFindings(msg *edifact.Message) []edifact.Finding {
	var out []edifact.Finding
	for _, f := range r.Findings {
		if f.Code == 0 || f.Segment < 0 || f.Segment >= len(msg.Segments) {
			continue
		}
		s := &msg.Segments[f.Segment]
		out = append(out, edifact.Finding{
			Rule: "ahb-" + f.Rule, Level: f.Level, Code: f.Code, Tag: f.Tag,
			SegmentIndex: s.Index, Offset: s.Offset, MessageIndex: msg.Index, MessageRef: msg.Ref(),
			Position: f.Position, Element: f.Element, Component: f.Component, Transaction: f.Transaction, Text: f.Text,
		})
	}
	return out
}
