package console

import (
	"fmt"
	"strings"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

// EDIView is an interchange rendered for the console: segment by segment
// with the meaning of tags, qualifiers and codes, and the syntax findings
// of pkg/edifact next to the segment they concern (AHB findings join here
// once the AHB model exists).
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
}

// renderEDI parses and checks data and explains it.
func renderEDI(data []byte) EDIView {
	ix, rep, err := edifact.Analyze(data)
	if err != nil {
		return EDIView{Error: err.Error()}
	}
	v := EDIView{}
	u := ix.UNB()
	v.Ref, v.Sender, v.Recipient = u.ControlRef, u.Sender.ID, u.Recipient.ID
	at := map[int][]string{}
	if rep != nil {
		v.FindingCount = len(rep.Findings)
		for _, f := range rep.Findings {
			text := fmt.Sprintf("%s %d: %s", f.Level, f.Code, f.Text)
			if f.SegmentIndex >= 0 {
				at[f.SegmentIndex] = append(at[f.SegmentIndex], text)
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
	for i := range ix.Segments {
		s := &ix.Segments[i]
		sv := SegmentView{Index: s.Index, Tag: s.Tag, Raw: string(s.Raw()), Findings: at[s.Index]}
		sv.Name, _ = catalog.SegmentName(s.Tag)
		sv.Notes = explain(s, v.Type)
		v.Segments = append(v.Segments, sv)
	}
	return v
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
