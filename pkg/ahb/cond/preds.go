package cond

import (
	"github.com/mako-engine/mako/pkg/edifact"
)

// This file holds the building blocks the predicate tables are written
// with. Positions follow the UN D.11A segment layouts the EDI@Energy MIGs
// use (element and component indexes 0-based, tag excluded):
//   STS  el0 C601 9015 (status category: 7 Transaktionsgrund, E01 Status
//        der Antwort, Z17 …), el2 C556 9013 (reason / answer code, comp1
//        1131 = EBD), el3 9013 (Ergänzung), el4 9013 (befristete Anmeldung)
//   DTM  el0 C507 2005:2380:2379
//   SEQ  el0 1229, el1 C286 1050
//   CCI  el0 7059, el1 C502, el2 C240 7037:1131:3055:7036
//   CAV  el0 C889 7111:1131:3055:7110
//   NAD  el0 3035, el1 C082 3039, el2 C058 3124, el3 C080 3036…:3045

// req registers a requirement condition (a prerequisite decided from the
// message).
func req(n uint16, quote string, fn Predicate) def {
	return def{ref: cref(n), kind: KindRequirement, quote: quote, fn: fn}
}

// valueRule registers a condition whose text constrains the value of the
// line ("Es sind nur … erlaubt", "… muss … sein") rather than its presence;
// fn may be nil when the rule needs data the package does not have (it is
// then classified but not implemented).
func valueRule(n uint16, quote string, fn Predicate) def {
	return def{ref: cref(n), kind: KindValue, quote: quote, fn: fn}
}

// format registers a format condition [9xx] on the value.
func format(n uint16, quote string, fn Predicate) def {
	return def{ref: cref(n), kind: KindFormat, quote: quote, fn: fn}
}

// external classifies a requirement condition that depends on information
// outside the message (process state, the sender's knowledge, a previous
// message, the partner's role): it has no predicate and stays Unknown.
func external(n uint16, quote string) def {
	return def{ref: cref(n), kind: KindRequirement, quote: quote, external: true}
}

func cref(n uint16) Ref { return Ref{Kind: RefCondition, N: n} }

// triOK returns Unknown when ok is false, else TriOf(b).
func triOK(b, ok bool) Tri {
	if !ok {
		return Unknown
	}
	return TriOf(b)
}

// within returns the span of group g enclosing the line, or of the whole
// message for g == "".
func (sc *Scope) within(g string) (Span, bool) {
	if sc.Msg == nil {
		return Span{}, false
	}
	if g == "" {
		return sc.whole()
	}
	return sc.group(g)
}

// count returns how many segments of the group instance g satisfy m.
func (sc *Scope) count(g string, m func(*edifact.Segment) bool) (int, bool) {
	sp, ok := sc.within(g)
	if !ok {
		return 0, false
	}
	n := 0
	segs := sc.segs(sp)
	for i := range segs {
		if m(&segs[i]) {
			n++
		}
	}
	return n, true
}

// has returns a predicate: the group instance g ("" = message) holds a
// segment satisfying m. Unknown when the Scope has no such group.
func has(g string, m func(*edifact.Segment) bool) Predicate {
	return func(sc *Scope) Tri {
		n, ok := sc.count(g, m)
		return triOK(n > 0, ok)
	}
}

// hasNot is the negation of has.
func hasNot(g string, m func(*edifact.Segment) bool) Predicate {
	p := has(g, m)
	return func(sc *Scope) Tri { return p(sc).Not() }
}

// countAtLeast returns a predicate: the group instance g holds at least n
// segments satisfying m.
func countAtLeast(g string, n int, m func(*edifact.Segment) bool) Predicate {
	return func(sc *Scope) Tri {
		c, ok := sc.count(g, m)
		return triOK(c >= n, ok)
	}
}

// countIs returns a predicate: the group instance g holds exactly n segments
// satisfying m.
func countIs(g string, n int, m func(*edifact.Segment) bool) Predicate {
	return func(sc *Scope) Tri {
		c, ok := sc.count(g, m)
		return triOK(c == n, ok)
	}
}

// seg matches a segment by tag and qualifier (component 0 of element 0;
// "" = any).
func seg(tag, qual string) func(*edifact.Segment) bool {
	return func(s *edifact.Segment) bool { return s.Is(tag, qual) }
}

// oneOf reports whether c equals one of codes.
func oneOf(c edifact.Component, codes []string) bool {
	for _, x := range codes {
		if c.Equal(x) {
			return true
		}
	}
	return false
}

// segAt matches tag+qual whose element el, component comp, is one of codes.
func segAt(tag, qual string, el, comp int, codes ...string) func(*edifact.Segment) bool {
	return func(s *edifact.Segment) bool {
		return s.Is(tag, qual) && oneOf(s.Element(el).Component(comp), codes)
	}
}

// sts matches STS+qual with one of codes in element el (2: reason or answer
// code, 3: Ergänzung, 4: befristete Anmeldung). qual "" matches any status
// category.
func sts(qual string, el int, codes ...string) func(*edifact.Segment) bool {
	return segAt("STS", qual, el, 0, codes...)
}

// inSubgroup returns a predicate over the subgroups of group g that start
// with a segment tagged head (e.g. the SG10 instances, each opened by CCI,
// inside an SG8): true when some subgroup's opening segment satisfies open
// and one of its segments (opening included) satisfies m; m nil = the
// opening alone. When gOpen is nil, g is the line's enclosing instance;
// otherwise the condition names the instance by its opening segment ("in
// dieser SG8 SEQ+Z01 …") and it is resolved by Scope.named — the line's own
// instance if it opens so, else the one such instance beside it.
func inSubgroup(g string, gOpen func(*edifact.Segment) bool, head string, open, m func(*edifact.Segment) bool) Predicate {
	return func(sc *Scope) Tri {
		var sp Span
		var ok bool
		if gOpen == nil {
			sp, ok = sc.within(g)
		} else {
			sp, ok = sc.named(g, gOpen)
		}
		if !ok {
			return Unknown
		}
		segs := sc.segs(sp)
		for i := range segs {
			if segs[i].Tag != head || !open(&segs[i]) {
				continue
			}
			if m == nil {
				return True
			}
			for j := i; j < len(segs); j++ {
				if j > i && segs[j].Tag == head {
					break
				}
				if m(&segs[j]) {
					return True
				}
			}
		}
		return False
	}
}

// inNamed returns a predicate over the instance of group g that a
// condition names by its opening segment (Scope.named): true when one of
// its segments satisfies m; Unknown when the instance cannot be resolved.
func inNamed(g string, gOpen, m func(*edifact.Segment) bool) Predicate {
	return func(sc *Scope) Tri {
		sp, ok := sc.named(g, gOpen)
		if !ok {
			return Unknown
		}
		segs := sc.segs(sp)
		for i := range segs {
			if m(&segs[i]) {
				return True
			}
		}
		return False
	}
}

// sameSegment returns a predicate over the segment of the line itself;
// Unknown when the line has no segment.
func sameSegment(m func(*edifact.Segment) bool) Predicate {
	return func(sc *Scope) Tri {
		s := sc.segment()
		if s == nil {
			return Unknown
		}
		return TriOf(m(s))
	}
}

// presentIsTrue decides conditions of the form "Wenn vorhanden" / "Wenn
// bekannt" (the sender has the information): a line that is present shows
// that the sender had it (True); for an absent line the sender's knowledge
// is outside the message (Unknown).
func presentIsTrue(sc *Scope) Tri {
	if sc.segment() != nil {
		return True
	}
	return Unknown
}

// groupFirst returns the opening segment of the innermost instance of g.
func (sc *Scope) groupFirst(g string) *edifact.Segment {
	sp, ok := sc.within(g)
	if !ok {
		return nil
	}
	segs := sc.segs(sp)
	if len(segs) == 0 {
		return nil
	}
	return &segs[0]
}

// role: "Wenn MP-ID in SG2 NAD+MR (Nachrichtenempfänger) / NAD+MS
// (Nachrichtenabsender) in der Rolle R1/R2" — from the roles the Scope
// carries; Unknown when the caller did not provide the role.
func role(receiver bool, want ...string) Predicate {
	return func(sc *Scope) Tri {
		got := sc.SenderRole
		if receiver {
			got = sc.ReceiverRole
		}
		if got == "" {
			return Unknown
		}
		for _, w := range want {
			if got == w {
				return True
			}
		}
		return False
	}
}
