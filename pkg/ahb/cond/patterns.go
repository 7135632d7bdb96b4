package cond

import (
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

// patternRow is a condition whose text has one of the shapes of
// internal/tables/patterns.go ("Wenn SG5 LOC+Z21 (Tranche) vorhanden",
// "Wenn SG4 STS+E01++A04/A23 (…) vorhanden", "Wenn MP-ID in SG2 NAD+MR mit
// Rolle NB vorhanden", …), generated into patterns_gen.go with its full text
// as the quote.
type patternRow struct {
	n     uint16
	fv    string // "" = every FV, else the only FV the text holds for
	shape string // segment, answer, reason, supplement, group, role (tag MR/MS, codes the roles)
	scope string // "" = the message, "SG4" = the transaction
	tag   string
	qual  string
	codes []string
	neg   bool
	// group shape: the SEQ qualifiers the group must open with (none: any),
	// the segment's qualifiers and its element-2 code ("CCI+Z01++Z82").
	open  []string
	quals []string
	code  string
	text  string
}

// matcher returns the segment test of the row.
func (r patternRow) matcher() func(*edifact.Segment) bool {
	switch r.shape {
	case "answer":
		return answer(r.codes...)
	case "reason":
		return reason(r.codes...)
	case "supplement":
		return supplement(r.codes...)
	case "header": // qual: the element of the codes ("0" TAG+C, "1" TAG++C), code: the next element
		el := 0
		if r.qual == "1" {
			el = 1
		}
		return func(s *edifact.Segment) bool {
			return s.Tag == r.tag && oneOf(s.Element(el).Component(0), r.codes) &&
				(r.code == "" || s.Element(el+1).Component(0).Equal(r.code))
		}
	case "ajt": // qual: the element of the code, "0" DE4465, "1" DE1082
		el := 0
		if r.qual == "1" {
			el = 1
		}
		return segAt("AJT", "", el, 0, r.codes...)
	case "ajtgroup":
		return func(s *edifact.Segment) bool {
			return s.Tag == "AJT" && oneOf(s.Element(0).Component(0), r.codes) &&
				(r.code == "" || s.Element(1).Component(0).Equal(r.code))
		}
	case "group":
		return func(s *edifact.Segment) bool {
			return s.Tag == r.tag && oneOf(s.Element(0).Component(0), r.quals) &&
				(r.code == "" || s.Element(2).Component(0).Equal(r.code))
		}
	}
	return seg(r.tag, r.qual)
}

// def converts the row into a registration.
func (r patternRow) def() def {
	if r.shape == "role" {
		p := role(r.tag == "MR", r.codes...)
		if r.neg {
			p = func(sc *Scope) Tri { return role(r.tag == "MR", r.codes...)(sc).Not() }
		}
		d := req(r.n, r.text, p)
		if r.fv != "" {
			v := fv.MustParse(r.fv)
			d = only(d, v, v)
		}
		return d
	}
	if r.shape == "ajt" && (r.scope == "SG7" || r.scope == "SG12" || r.scope == "") {
		return r.withFV(req(r.n, r.text, thisAJT(r.scope, r.matcher())))
	}
	if r.shape == "header" {
		p := inHeader(r.matcher())
		if r.neg {
			p = notP(p)
		}
		return r.withFV(req(r.n, r.text, p))
	}
	p := has(r.scope, r.matcher())
	if len(r.open) > 0 {
		p = inNamed(r.scope, segAt("SEQ", "", 0, 0, r.open...), r.matcher())
	}
	if r.neg {
		p = notP(p)
	}
	d := req(r.n, r.text, p)
	if r.fv != "" {
		v := fv.MustParse(r.fv)
		d = only(d, v, v)
	}
	return d
}

// withFV restricts d to the row's format version.
func (r patternRow) withFV(d def) def {
	if r.fv != "" {
		v := fv.MustParse(r.fv)
		d = only(d, v, v)
	}
	return d
}

// thisAJT: "Wenn in dieser SG7 AJT …" (the AJT opening the line's SG7 or
// SG12) / "Wenn in diesem AJT …" (g == "": the line's own AJT, else the AJT
// opening its innermost SG12 or SG7).
func thisAJT(g string, m func(*edifact.Segment) bool) Predicate {
	return func(sc *Scope) Tri {
		var s *edifact.Segment
		switch g {
		case "":
			if s = sc.segment(); s == nil || s.Tag != "AJT" {
				if s = sc.groupFirst("SG12"); s == nil {
					s = sc.groupFirst("SG7")
				}
			}
		default:
			s = sc.groupFirst(g)
		}
		if s == nil || s.Tag != "AJT" {
			return Unknown
		}
		return TriOf(m(s))
	}
}

// withPatterns adds the pattern rows to a hand-written table, except for
// the conditions the table registers itself (hand-written entries win).
func withPatterns(hand []def, rows []patternRow) []def {
	own := map[Ref]bool{}
	for _, d := range hand {
		own[d.ref] = true
	}
	out := hand
	for _, r := range rows {
		if d := r.def(); !own[d.ref] {
			out = append(out, d)
		}
	}
	return out
}
