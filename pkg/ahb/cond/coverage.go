package cond

import "slices"

// KindCoverage counts the conditions of one kind an AHB uses and how many
// of them have a predicate.
type KindCoverage struct {
	Used, Implemented int
}

// Coverage summarises how many of the conditions an AHB (or a selection of
// its PIDs) uses the Set can decide.
type Coverage struct {
	// Requirement, Format and Value count the decidable kinds (Format
	// includes the time conditions [UBn]).
	Requirement, Format, Value KindCoverage
	// External counts the used conditions classified as depending on
	// information outside the message (no predicate by design; they stay
	// Unknown and are part of the Used counts above).
	External int
	// Hints, Repeats and Packages count the used informational conditions,
	// repeatability conditions and packages (neutral for Eval; not counted
	// above).
	Hints, Repeats, Packages int
	// Missing lists the used decidable conditions without a predicate,
	// sorted (external ones included).
	Missing []Ref
}

// Used returns the decidable conditions used (requirement, format, value).
func (c Coverage) Used() int { return c.Requirement.Used + c.Format.Used + c.Value.Used }

// Implemented returns the decidable conditions used that have a predicate.
func (c Coverage) Implemented() int {
	return c.Requirement.Implemented + c.Format.Implemented + c.Value.Implemented
}

// Coverage classifies the used references (duplicates are ignored) with
// this set's classification and counts those it implements. For the
// combined "UTILMD" set it uses the Strom AHB; pass a "UTILMD Gas" set for
// Gas.
func (s *Set) Coverage(used []Ref) Coverage {
	var c Coverage
	if s == nil {
		s = &Set{}
	}
	seen := map[Ref]bool{}
	for _, r := range used {
		if seen[r] {
			continue
		}
		seen[r] = true
		var kc *KindCoverage
		switch s.Kind(r, nil) {
		case KindHint:
			c.Hints++
			continue
		case KindRepeat:
			c.Repeats++
			continue
		case KindPackage:
			c.Packages++
			continue
		case KindFormat:
			kc = &c.Format
		case KindValue:
			kc = &c.Value
		default:
			kc = &c.Requirement
		}
		kc.Used++
		e := s.entry(r)
		if e != nil && e.fn != nil {
			kc.Implemented++
		} else {
			c.Missing = append(c.Missing, r)
		}
		if e != nil && e.external {
			c.External++
		}
	}
	slices.SortFunc(c.Missing, compareRefs)
	return c
}

func compareRefs(a, b Ref) int {
	if a.Kind != b.Kind {
		return int(a.Kind) - int(b.Kind)
	}
	return int(a.N) - int(b.N)
}
