package cond

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

// fragment wraps UTILMD segments (each ending in "'") into an interchange
// and returns its message.
func fragment(t testing.TB, body string) *edifact.Message {
	t.Helper()
	return fragmentWith(t, "UNH+1+UTILMD:D:11A:UN:S2.2'", body)
}

// fragmentWith is fragment with the given UNH segment.
func fragmentWith(t testing.TB, unh, body string) *edifact.Message {
	t.Helper()
	n := strings.Count(body, "'") + 2
	src := "UNA:+.? 'UNB+UNOC:3+9900000000001:500+9900000000002:500+261001:0800+R1'" +
		unh + body + fmt.Sprintf("UNT+%d+1'UNZ+1+R1'", n)
	ix, err := edifact.Parse([]byte(src))
	if err != nil {
		t.Fatalf("fragment %q: %v", body, err)
	}
	return &ix.Messages[0]
}

// groupsAt returns the UTILMD group instances enclosing segment i by a
// simplified UTILMD tree: SG4 from IDE to UNT; in it SG5 (LOC), SG6 (RFF),
// SG8 (SEQ … up to the next SEQ or NAD), SG10 (CCI inside SG8 up to the next
// CCI), SG12 (NAD up to the next NAD).
func groupsAt(m *edifact.Message, i int) []Span {
	segs := m.Segments
	end := func(from int, stop ...string) int {
		j := from + 1
		for ; j < len(segs); j++ {
			for _, s := range stop {
				if segs[j].Tag == s {
					return j
				}
			}
		}
		return j
	}
	start := func(tag string, stop ...string) int {
		for j := i; j >= 0; j-- {
			if segs[j].Tag == tag {
				return j
			}
			for _, s := range stop {
				if segs[j].Tag == s {
					return -1
				}
			}
		}
		return -1
	}
	var out []Span
	ide := start("IDE")
	if ide < 0 || segs[i].Tag == "UNT" {
		return nil
	}
	out = append(out, Span{"SG4", ide, end(ide, "UNT")})
	switch segs[i].Tag {
	case "LOC":
		return append(out, Span{"SG5", i, i + 1})
	case "RFF", "DTM":
		if s := start("RFF", "SEQ", "NAD", "IDE", "STS", "LOC"); s >= 0 {
			return append(out, Span{"SG6", s, end(s, "RFF", "SEQ", "NAD", "UNT")})
		}
	}
	if s := start("NAD", "IDE"); s >= 0 {
		return append(out, Span{"SG12", s, end(s, "NAD", "UNT")})
	}
	if s := start("SEQ", "IDE"); s >= 0 {
		out = append(out, Span{"SG8", s, end(s, "SEQ", "NAD", "UNT")})
		if c := start("CCI", "SEQ"); c >= 0 {
			out = append(out, Span{"SG10", c, end(c, "CCI", "SEQ", "NAD", "UNT")})
		}
	}
	return out
}

// fragTree is the cond.Tree of a fragment, by the simplified tree of
// groupsAt: the SG8 instances of an SG4, the SG10 instances of an SG8.
type fragTree struct{ m *edifact.Message }

func (f fragTree) Child(parent Span, g string, i int) (Span, bool) {
	var head string
	var stop []string
	switch {
	case parent.Group == "SG4" && g == "SG8":
		head, stop = "SEQ", []string{"SEQ", "NAD", "UNT"}
	case parent.Group == "SG8" && g == "SG10":
		head, stop = "CCI", []string{"CCI", "SEQ", "NAD", "UNT"}
	default:
		return Span{}, false
	}
	segs := f.m.Segments
	for j := parent.Start; j < parent.End && j < len(segs); j++ {
		if segs[j].Tag != head {
			continue
		}
		e := j + 1
		for ; e < parent.End && e < len(segs); e++ {
			if slices.Contains(stop, segs[e].Tag) {
				break
			}
		}
		if i == 0 {
			return Span{g, j, e}, true
		}
		i--
		j = e - 1
	}
	return Span{}, false
}

// locate returns the index of the first segment matching "TAG" or
// "TAG+QUAL" (the n-th with "#n" appended).
func locate(t testing.TB, m *edifact.Message, at string) int {
	t.Helper()
	nth := 1
	if i := strings.IndexByte(at, '#'); i >= 0 {
		fmt.Sscanf(at[i+1:], "%d", &nth)
		at = at[:i]
	}
	tag, qual, _ := strings.Cut(at, "+")
	for i := range m.Segments {
		if m.Segments[i].Is(tag, qual) {
			if nth--; nth == 0 {
				return i
			}
		}
	}
	t.Fatalf("no segment %q", at)
	return -1
}

type predCase struct {
	ref   Ref
	body  string
	at    string // segment of the line ("TAG", "TAG+QUAL", "…#n")
	value string
	pid   string // default 55001 (Strom) / 44001 (Gas)
	// absent evaluates the line as missing (Segment -1) in the groups of at;
	// nogroups drops the groups (the message lacks the context).
	absent, nogroups, nomsg bool
	want                    Tri
}

func runCases(t *testing.T, name string, v fv.Version, cases []predCase) map[Ref][3]bool {
	t.Helper()
	set := PredicatesFor(name, v)
	seen := map[Ref][3]bool{}
	for _, c := range cases {
		m := fragment(t, c.body)
		i := locate(t, m, c.at)
		sc := &Scope{Msg: m, PID: "55001", FV: v, Groups: groupsAt(m, i), Segment: i, Value: c.value, Tree: fragTree{m}}
		if name == UTILMDGas {
			sc.PID = "44001"
		}
		if c.pid != "" {
			sc.PID = c.pid
		}
		if c.absent {
			sc.Segment = -1
		}
		if c.nogroups {
			sc.Groups = nil
		}
		if c.nomsg {
			sc.Msg, sc.Groups = nil, nil
		}
		if !set.Has(c.ref) {
			t.Errorf("%s %s: no predicate", name, c.ref)
			continue
		}
		got := set.Eval(c.ref, sc)
		if got != c.want {
			t.Errorf("%s %s on %q at %s value %q: got %v, want %v", name, c.ref, c.body, c.at, c.value, got, c.want)
		}
		s := seen[c.ref]
		s[[...]int{Unknown: 2, False: 0, True: 1}[got]] = true
		seen[c.ref] = s
	}
	return seen
}

func r(n uint16) Ref { return Ref{Kind: RefCondition, N: n} }

// Outcomes a predicate cannot have, for checkAllTested.
const (
	neverFalse   = 1 << iota // "Wenn vorhanden": absent is Unknown, not False
	neverUnknown             // decided from the value alone
)

// checkAllTested fails for predicates of set without a true, a false and an
// unknown case, unless exempt says the outcome cannot occur.
func checkAllTested(t *testing.T, set *Set, seen map[Ref][3]bool, exempt map[Ref]int) {
	t.Helper()
	for _, ref := range set.Implemented() {
		if ref.Kind == RefCondition && set.Kind(ref, nil) == KindFormat {
			continue // TestFormats covers every format condition
		}
		if isPattern(set.Quote(ref)) {
			continue // TestPatternRows covers the generated pattern conditions
		}
		s := seen[ref]
		if !s[1] {
			t.Errorf("%s %s %s: needs a true case", set.Name(), set.FV(), ref)
		}
		if !s[0] && exempt[ref]&neverFalse == 0 {
			t.Errorf("%s %s %s: needs a false case", set.Name(), set.FV(), ref)
		}
		if !s[2] && exempt[ref]&neverUnknown == 0 {
			t.Errorf("%s %s %s: needs an unknown case", set.Name(), set.FV(), ref)
		}
	}
}

// isPattern reports whether quote is the text of a generated pattern row.
func isPattern(quote string) bool {
	for _, name := range ahbNames {
		for _, r := range ahbPatterns(name) {
			if r.text == quote {
				return true
			}
		}
	}
	return false
}

// ahbNames are the AHBs of the shared data.
var ahbNames = []string{"APERAK", "COMDIS", "CONTRL", "IFTSTA", "INSRPT", "INVOIC", "MSCONS", "ORDCHG", "ORDERS",
	"ORDRSP", "PARTIN", "PRICAT", "QUOTES", "REMADV", "REQOTE", UTILMDGas, UTILMDStrom, "UTILTS"}
