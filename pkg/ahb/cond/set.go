package cond

import (
	"slices"
	"strings"

	"github.com/mako-engine/mako/pkg/fv"
)

// Predicate decides one condition for the line described by the Scope. It
// returns Unknown when the message or the Scope lacks what the condition
// needs; it never guesses.
type Predicate func(sc *Scope) Tri

// def registers one predicate: the condition, a short quote of its AHB text
// (checked against the source data by TestCitations), the function and the
// format versions it holds for (zero: open end).
type def struct {
	ref      Ref
	kind     Kind
	quote    string
	alts     []string   // variants of the quote in other AHBs (format conditions)
	fn       Predicate  // nil: classified but not implemented
	external bool       // depends on information outside the message
	from     fv.Version // first FV (inclusive); zero: all earlier
	until    fv.Version // last FV (inclusive); zero: all later
	// unverified marks a predicate whose definition is not in the shared
	// AHB data (see its doc); WithoutUnverified drops it.
	unverified bool
}

func (d def) holds(v fv.Version) bool {
	if !d.from.IsZero() && v.Before(d.from) {
		return false
	}
	return d.until.IsZero() || !v.After(d.until)
}

// Set is the set of condition predicates of one AHB (message type, for
// UTILMD also Strom or Gas) and format version. A nil *Set has no
// predicates. A Set is immutable and safe for concurrent use.
type Set struct {
	name string
	v    fv.Version
	// conds and times hold the registrations indexed by condition number
	// (RefCondition, RefTime): a slice index instead of a map lookup keeps
	// Eval cheap on the validator's hot path.
	conds, times []entry
	// gas is set on the combined "UTILMD" set: Scopes with a Gas PID (44xxx)
	// are evaluated with it, all others with this set's own predicates
	// (Strom).
	gas *Set
}

// entry is one registration of a Set.
type entry struct {
	registered bool
	kind       Kind
	external   bool
	quote      string
	fn         Predicate
}

// entry returns the registration of r, nil if there is none.
func (s *Set) entry(r Ref) *entry {
	var tab []entry
	switch r.Kind {
	case RefCondition:
		tab = s.conds
	case RefTime:
		tab = s.times
	default:
		return nil
	}
	if int(r.N) >= len(tab) || !tab[r.N].registered {
		return nil
	}
	return &tab[r.N]
}

// AHB names accepted by PredicatesFor besides the plain message types.
const (
	UTILMDStrom = "UTILMD Strom"
	UTILMDGas   = "UTILMD Gas"
)

// PredicatesFor returns the predicates for a message type ("UTILMD",
// "MSCONS", …, case-sensitive as in UNH 0065) and format version. UTILMD has
// two AHBs with different condition numbers: "UTILMD Strom" and "UTILMD Gas"
// select one; plain "UTILMD" returns a set that picks Gas for Scopes whose
// PID starts with 44 and Strom otherwise. A message type without registered
// predicates gets an empty Set (every requirement condition Unknown).
func PredicatesFor(msgType string, v fv.Version, opts ...Option) *Set {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if msgType == "UTILMD" {
		s := build(UTILMDStrom, v, o)
		s.name = "UTILMD"
		s.gas = build(UTILMDGas, v, o)
		return s
	}
	return build(msgType, v, o)
}

// Option configures PredicatesFor.
type Option func(*options)

type options struct{ noUnverified bool }

// WithoutUnverified leaves out the predicates whose definition is not in
// the shared AHB data but taken from another source (the time conditions
// [UB1]/[UB2] of UTILMD, see predicates_utilmd.go); they then evaluate to
// Unknown.
func WithoutUnverified() Option { return func(o *options) { o.noUnverified = true } }

func build(name string, v fv.Version, o options) *Set {
	s := &Set{name: name, v: v}
	for _, d := range registry(name, v) {
		if !d.holds(v) {
			continue
		}
		tab := &s.conds
		if d.ref.Kind == RefTime {
			tab = &s.times
		}
		if n := int(d.ref.N) + 1; n > len(*tab) {
			*tab = append(*tab, make([]entry, n-len(*tab))...)
		}
		e := &(*tab)[d.ref.N]
		if e.registered {
			panic("cond: duplicate predicate " + d.ref.String() + " in " + name)
		}
		*e = entry{registered: true, kind: d.kind, external: d.external, quote: d.quote}
		if d.fn != nil && !(d.unverified && o.noUnverified) {
			e.fn = d.fn
		}
	}
	return s
}

// Kind classifies r in this set's AHB: the registered classification (from
// the condition text) where there is one, else KindOf by number range.
func (s *Set) Kind(r Ref, sc *Scope) Kind {
	s = s.pick(sc)
	if s != nil {
		if e := s.entry(r); e != nil {
			return e.kind
		}
	}
	return KindOf(r)
}

// External reports whether r is classified as depending on information
// outside the message (it has no predicate by design and stays Unknown).
func (s *Set) External(r Ref) bool {
	if s == nil {
		return false
	}
	if e := s.entry(r); e != nil && e.external {
		return true
	}
	return s.gas.External(r)
}

// Name returns the AHB name the set was built for.
func (s *Set) Name() string {
	if s == nil {
		return ""
	}
	return s.name
}

// FV returns the format version the set was built for.
func (s *Set) FV() fv.Version {
	if s == nil {
		return fv.Version{}
	}
	return s.v
}

func (s *Set) pick(sc *Scope) *Set {
	if s != nil && s.gas != nil && sc != nil && strings.HasPrefix(sc.PID, "44") {
		return s.gas
	}
	return s
}

// Eval decides one condition: Unknown when the set has no predicate for it.
func (s *Set) Eval(r Ref, sc *Scope) Tri {
	s = s.pick(sc)
	if s == nil || sc == nil {
		return Unknown
	}
	e := s.entry(r)
	if e == nil || e.fn == nil {
		return Unknown
	}
	return e.fn(sc)
}

// Has reports whether the set has a predicate for r (for the combined UTILMD
// set: in the Strom or the Gas AHB).
func (s *Set) Has(r Ref) bool {
	if s == nil {
		return false
	}
	if e := s.entry(r); e != nil && e.fn != nil {
		return true
	}
	return s.gas.Has(r)
}

// Quote returns the short quote of the AHB condition text the registration
// of r cites, "" if none.
func (s *Set) Quote(r Ref) string {
	if s == nil {
		return ""
	}
	if e := s.entry(r); e != nil {
		return e.quote
	}
	return ""
}

// Implemented returns the conditions with a predicate, sorted by kind and
// number (for the combined UTILMD set: those of the Strom AHB; build "UTILMD
// Gas" for the Gas ones).
func (s *Set) Implemented() []Ref {
	if s == nil {
		return nil
	}
	var out []Ref
	for n, e := range s.conds {
		if e.fn != nil {
			out = append(out, Ref{Kind: RefCondition, N: uint16(n)})
		}
	}
	for n, e := range s.times {
		if e.fn != nil {
			out = append(out, Ref{Kind: RefTime, N: uint16(n)})
		}
	}
	slices.SortFunc(out, compareRefs)
	return out
}
