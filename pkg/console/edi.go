package console

import (
	"fmt"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

// EDIView is an interchange rendered for the console: segment by segment
// with the meaning of tags, qualifiers and codes, the syntax findings of
// pkg/edifact and the AHB findings of pkg/ahb next to the segment they
// concern, and per message an AHB summary.
type EDIView struct {
	// Error is set when the bytes are not EDIFACT at all.
	Error string
	// Ref, Sender, Recipient are UNB 0020 and the parties' ids.
	Ref, Sender, Recipient string
	// Type is the message type of the first message (UTILMD, APERAK …).
	Type string
	// PIDs are the Prüfidentifikatoren found.
	PIDs []string
	// Segments are the segments in order.
	Segments []SegmentView
	// Findings without a segment (interchange level).
	Findings []string
	// FindingCount counts every finding.
	FindingCount int
	// AHB is the AHB validation of each message, in interchange order.
	AHB []AHBMessageView
	// AHBCount counts the AHB findings of all messages.
	AHBCount int
}

// AHBMessageView is the outcome of ahb.Validate for one message.
type AHBMessageView struct {
	// Ref and Type are the message's UNH 0062 and 0065.
	Ref, Type string
	// FV is the format version validated against ("FV2610"); empty when
	// the message could not be validated.
	FV string
	// PIDs are the Prüfidentifikatoren validated.
	PIDs []string
	// Findings counts the AHB findings of the message.
	Findings int
	// NotEvaluated counts AHB lines whose conditions could not be decided
	// (never findings).
	NotEvaluated int
	// Note says why the message was not validated (no AHB data for its
	// type, FV or PID): a neutral remark, not a finding.
	Note string
}

// Summary is the one-line AHB verdict of the message.
func (a AHBMessageView) Summary() string {
	switch {
	case a.Note != "":
		return "AHB nicht geprüft: " + a.Note
	case a.Findings == 0:
		return "AHB: einwandfrei"
	case a.Findings == 1:
		return "1 AHB-Befund"
	}
	return fmt.Sprintf("%d AHB-Befunde", a.Findings)
}

// AHBFindingView is one pkg/ahb finding shown at its segment.
type AHBFindingView struct {
	// Rule is the stable rule id (kind@PID:AHB line).
	Rule string
	// Expr is the AHB expression of the line ("Muss [480]").
	Expr string
	// APERAK is the APERAK error code (Z29 …), empty for MIG findings.
	APERAK string
	// Contrl is the CONTRL level and code of a MIG finding, else empty.
	Contrl string
	// Text is pkg/ahb's description of the finding.
	Text string
	// FV is the format version validated against.
	FV string
	// Rejects is ahb.Finding.Rejects: the finding carries an APERAK or
	// CONTRL code; the others (content the PID does not foresee or must
	// not use) are shown but reject nothing.
	Rejects bool
}

// SegmentView is one segment with its explanation.
type SegmentView struct {
	Index int
	Tag   string
	// Name is the segment's German name.
	Name string
	// Raw is the segment as received (without terminator).
	Raw string
	// Notes explain qualifiers and codes ("DTM 137 = Nachrichtendatum").
	Notes []string
	// Findings are the syntax findings at this segment.
	Findings []string
	// AHB are the AHB findings at this segment.
	AHB []AHBFindingView
}

// renderEDI parses and checks data and explains it. at is when the
// interchange was received or created: it selects the format version
// (pkg/fv) for the syntax check and the AHB validation; zero leaves the
// choice to the message's DTM+137.
func renderEDI(data []byte, at time.Time) EDIView {
	var opts []edifact.CheckOption
	if !at.IsZero() {
		opts = append(opts, edifact.WithReceived(at))
	}
	ix, rep, err := edifact.Analyze(data, opts...)
	if err != nil {
		return EDIView{Error: err.Error()}
	}
	v := EDIView{}
	u := ix.UNB()
	v.Ref, v.Sender, v.Recipient = u.ControlRef, u.Sender.ID, u.Recipient.ID
	byIndex := map[int][]string{}
	if rep != nil {
		v.FindingCount = len(rep.Findings)
		for _, f := range rep.Findings {
			text := fmt.Sprintf("%s %d: %s", f.Level, f.Code, f.Text)
			if f.SegmentIndex >= 0 {
				byIndex[f.SegmentIndex] = append(byIndex[f.SegmentIndex], text)
			} else {
				v.Findings = append(v.Findings, text)
			}
		}
		for _, m := range rep.Messages {
			if v.Type == "" {
				v.Type = m.ID.Type
			}
			for _, p := range m.PIDs {
				if p.PID != "" {
					v.PIDs = append(v.PIDs, p.PID)
				}
			}
		}
	}
	ahbAt := v.validateAHB(ix, rep, at)
	for i := range ix.Segments {
		s := &ix.Segments[i]
		sv := SegmentView{Index: s.Index, Tag: s.Tag, Raw: string(s.Raw()), Findings: byIndex[s.Index], AHB: ahbAt[s.Index]}
		sv.Name, _ = catalog.SegmentName(s.Tag)
		sv.Notes = explain(s, v.Type)
		v.Segments = append(v.Segments, sv)
	}
	return v
}

// validateAHB validates every message of ix with pkg/ahb the way ingest
// does (the format version the syntax check resolved, else the one of at)
// and returns the findings by interchange segment index; it fills v.AHB and
// v.AHBCount. A message pkg/ahb cannot validate gets a Note.
func (v *EDIView) validateAHB(ix *edifact.Interchange, rep *edifact.Report, at time.Time) map[int][]AHBFindingView {
	opts := []ahb.Option{ahb.WithReceived(at)}
	if rep != nil && !rep.FormatVersion.IsZero() {
		opts = []ahb.Option{ahb.WithFV(rep.FormatVersion)}
	} else if at.IsZero() {
		opts = nil
	}
	out := map[int][]AHBFindingView{}
	for i := range ix.Messages {
		m := &ix.Messages[i]
		mv := AHBMessageView{Ref: m.Ref(), Type: m.Type()}
		r, err := ahb.Validate(m, opts...)
		if err != nil {
			mv.Note = err.Error()
			v.AHB = append(v.AHB, mv)
			continue
		}
		mv.FV, mv.PIDs, mv.Findings, mv.NotEvaluated = r.FV, r.PIDs, len(r.Findings), len(r.NotEvaluated)
		v.AHBCount += len(r.Findings)
		for _, f := range r.Findings {
			fv := AHBFindingView{Rule: f.Rule, Expr: f.Expr, APERAK: f.APERAK, Text: f.Text, FV: r.FV, Rejects: f.Rejects()}
			if f.Code != 0 {
				fv.Contrl = fmt.Sprintf("%s %d", f.Level, f.Code)
			}
			idx := -1
			if f.Segment >= 0 && f.Segment < len(m.Segments) {
				idx = m.Segments[f.Segment].Index
			} else if len(m.Segments) > 0 {
				idx = m.Segments[0].Index
			}
			out[idx] = append(out[idx], fv)
		}
		v.AHB = append(v.AHB, mv)
	}
	return out
}

// explain returns the meanings of a segment's qualifier and codes.
func explain(s *edifact.Segment, msgType string) []string {
	var out []string
	q := s.Value(0, 0)
	if m, ok := catalog.QualifierMeaning(s.Tag, q); ok {
		out = append(out, s.Tag+" "+q+" = "+m)
	}
	switch s.Tag {
	case "BGM":
		if c, ok := catalog.BGMCode(msgType, q); ok && c.Text != "" {
			out = append(out, "Dokument "+q+" = "+c.Text)
		}
	case "RFF":
		if q == "Z13" {
			if p := s.Value(0, 1); p != "" {
				out = append(out, "Prüfidentifikator "+pidName(p))
			}
		}
	case "ERC":
		if e, ok := catalog.LookupERC(q); ok {
			out = append(out, "Fehlercode "+q+" = "+e.Text)
		}
	case "UCI", "UCM":
		// The syntax error code 0085: UCI element 5, UCM element 4.
		code := s.Value(3, 0)
		if s.Tag == "UCI" {
			code = s.Value(4, 0)
		}
		if t, ok := catalog.ContrlCodeText(code); ok {
			out = append(out, "CONTRL-Code "+code+" = "+t)
		}
	case "NAD":
		if id := s.Value(1, 0); id != "" {
			out = append(out, "MP-ID "+id)
		}
	case "DTM":
		if v, f := s.Value(0, 1), s.Value(0, 2); v != "" {
			if d, err := catalog.ParseDTM(v, f); err == nil && !d.Start.IsZero() {
				out = append(out, "= "+zeit(d.Start)+" (deutsche Zeit)")
			}
		}
	case "UNH":
		if t := s.Value(1, 0); t != "" {
			out = append(out, "Nachrichtentyp "+t+" "+strings.Join([]string{s.Value(1, 1), s.Value(1, 2), s.Value(1, 4)}, ":"))
		}
	}
	return out
}
