package ingest

import (
	"fmt"
	"strings"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
)

// maxProblems bounds the findings one AHB refusal carries: the ERC groups of
// its APERAK 313 and the findings listed in its dead letter. The first
// findings in segment order are kept; the dead letter counts the rest.
const maxProblems = 10

// ahbResult is the outcome of validating one message against its AHB
// (pkg/ahb) before any workflow sees it: the input of plan.
type ahbResult struct {
	// Report is nil when the message was not validated: validation is off,
	// or pkg/ahb has no data for its type, format version or PID (no
	// finding then: what cannot be checked is never rejected).
	Report *ahb.Report
	// Err says why Report is nil although validation is on.
	Err error
}

// validateAHB validates every message of ix against the AHB of its PIDs for
// format version rep.FormatVersion (resolved by pkg/fv from the receipt
// time; the receipt time itself when that is zero). It does no I/O.
func validateAHB(ix *edifact.Interchange, rep *edifact.Report, d delivery) []ahbResult {
	out := make([]ahbResult, len(ix.Messages))
	opt := ahb.WithReceived(d.receivedAt)
	if !rep.FormatVersion.IsZero() {
		opt = ahb.WithFV(rep.FormatVersion)
	}
	for i := range ix.Messages {
		r, err := ahb.Validate(&ix.Messages[i], opt, ahb.WithoutNotEvaluated())
		out[i] = ahbResult{Report: r, Err: err}
	}
	return out
}

// migFindings returns the MIG-level findings of the reports (pkg/ahb
// findings with a CONTRL level and code: a data element violating its MIG
// format, a segment the MIG tree does not allow at its place) as pkg/edifact
// findings: they are syntax errors, answered like those by a CONTRL that
// rejects the interchange.
func migFindings(ix *edifact.Interchange, results []ahbResult) []edifact.Finding {
	var out []edifact.Finding
	for i, r := range results {
		if r.Report != nil {
			out = append(out, r.Report.ContrlFindings(&ix.Messages[i])...)
		}
	}
	return out
}

// ahbRefusal returns the refusal of transaction tx of a message whose
// transactions are txs, or nil when the report has no APERAK-level finding
// that concerns it. A finding concerns tx when its segment lies inside tx;
// a finding inside no transaction (message level, e.g. a missing DTM+137)
// concerns every transaction. Only findings with an APERAK error code
// reject (Z29, Z35, Z39, Z40): content the PID does not foresee or must not
// use is ignored by the receiver (APERAK AHB §2.1), lines not evaluated are
// no findings, and MIG findings are answered by CONTRL before planning.
func ahbRefusal(rep *ahb.Report, tx edifact.Transaction, txs []edifact.Transaction) *Refusal {
	if rep == nil {
		return nil
	}
	var hit []ahb.Finding
	total := 0
	for _, f := range rep.Findings {
		if f.APERAK == "" || !concerns(f.Segment, tx, txs) {
			continue
		}
		total++
		if len(hit) < maxProblems {
			hit = append(hit, f)
		}
	}
	if total == 0 {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d AHB finding(s) for PID %s (%s)", total, tx.PID, rep.FV)
	for _, f := range hit {
		fmt.Fprintf(&b, "; %s %s: %s", f.APERAK, f.Rule, f.Text)
	}
	if total > len(hit) {
		fmt.Fprintf(&b, "; … and %d more", total-len(hit))
	}
	return &Refusal{Code: hit[0].APERAK, Text: problemText(&hit[0]), Reason: deadletter.ReasonAHB, Result: "ahb_rejected",
		Detail: b.String(), Findings: hit}
}

// concerns reports whether segment index seg lies in tx, or in none of txs.
func concerns(seg int, tx edifact.Transaction, txs []edifact.Transaction) bool {
	if seg >= tx.Start && seg < tx.End {
		return true
	}
	for _, o := range txs {
		if seg >= o.Start && seg < o.End {
			return false
		}
	}
	return true
}

// problemText is the FTX+AAO text of the ERC group of finding f: short,
// German, in the character set of the APERAK (no expression operators).
func problemText(f *ahb.Finding) string {
	what := f.Tag
	if f.Qualifier != "" {
		what += "+" + f.Qualifier
	}
	if f.DataElement != "" {
		what += " DE" + f.DataElement
	}
	switch f.Kind {
	case ahb.KindMissingGroup:
		return "Pflichtgruppe fehlt: " + what
	case ahb.KindMissingSegment:
		return "Pflichtsegment fehlt: " + what
	case ahb.KindMissingElement:
		return "Pflichtangabe fehlt: " + what
	case ahb.KindCode:
		return "Code " + f.Value + " nicht erlaubt: " + what
	case ahb.KindFormat:
		return "Format nicht eingehalten: " + what
	case ahb.KindRepetition:
		return "Wiederholung nicht erlaubt: " + what
	}
	return "AHB-Verstoss: " + what
}
