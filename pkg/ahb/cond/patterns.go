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
	p := has(r.scope, r.matcher())
	if r.neg {
		p = hasNot(r.scope, r.matcher())
	}
	if len(r.open) > 0 {
		p = opening(r.scope, r.open, p)
	}
	d := req(r.n, r.text, p)
	if r.fv != "" {
		v := fv.MustParse(r.fv)
		d = only(d, v, v)
	}
	return d
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

// opening restricts p to group instances g opened by SEQ with one of the
// qualifiers ("in derselben SG8 SEQ+Z61 … das PIA+5 nicht vorhanden"); in
// another instance the condition names a group that is not there: Unknown.
func opening(g string, quals []string, p Predicate) Predicate {
	return func(sc *Scope) Tri {
		s := sc.groupFirst(g)
		if s == nil || s.Tag != "SEQ" || !oneOf(s.Element(0).Component(0), quals) {
			return Unknown
		}
		return p(sc)
	}
}
