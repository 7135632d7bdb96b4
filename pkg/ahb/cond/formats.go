package cond

import (
	"strconv"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/fristen"
)

// Format conditions [9xx]. Their texts are the same in every AHB that uses
// them (TestCitations checks each registration against the AHB's own text);
// formatDefs returns the ones an AHB lists, by number.

// decimal splits an EDIFACT decimal value ("-12.345"; the decimal mark is
// always '.' per the Allgemeine Festlegungen) into sign, integer digits and
// fraction digits; ok is false for anything else.
func decimal(v string) (neg bool, intPart, frac string, ok bool) {
	if v == "" {
		return false, "", "", false
	}
	if v[0] == '-' {
		neg, v = true, v[1:]
	}
	intPart = v
	if i := strings.IndexByte(v, '.'); i >= 0 {
		intPart, frac = v[:i], v[i+1:]
		if frac == "" {
			return false, "", "", false
		}
	}
	if intPart == "" {
		return false, "", "", false
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return false, "", "", false
	}
	return neg, intPart, frac, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// number parses a decimal value; ok is false for anything that is not one.
func number(v string) (float64, bool) {
	if _, _, _, ok := decimal(v); !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

// numeric returns a predicate: the value is a decimal number satisfying
// test (a non-number violates the format: False).
func numeric(test func(f float64, intDigits, fracDigits int) bool) Predicate {
	return func(sc *Scope) Tri {
		_, ip, fr, ok := decimal(sc.Value)
		if !ok {
			return False
		}
		f, ok := number(sc.Value)
		if !ok {
			return False
		}
		return TriOf(test(f, len(strings.TrimLeft(ip, "0")), len(fr)))
	}
}

// maxFraction: "Format: max. n Nachkommastellen" (0: "keine Nachkommastelle").
func maxFraction(n int) Predicate {
	return numeric(func(_ float64, _, fr int) bool { return fr <= n })
}

// maxInteger: "Format: max. n Vorkommastellen".
func maxInteger(n int) Predicate {
	return numeric(func(_ float64, ip, _ int) bool { return ip <= n })
}

// compare: "Format: Möglicher Wert: <op> limit".
func compare(op string, limit float64) Predicate {
	return numeric(func(f float64, _, _ int) bool {
		switch op {
		case ">":
			return f > limit
		case ">=":
			return f >= limit
		case "<":
			return f < limit
		case "<=":
			return f <= limit
		case "==":
			return f == limit
		case "!=":
			return f != limit
		}
		return false
	})
}

// integerRange: "Format: Mögliche Werte: lo bis hi" (hi < 0: "n"), whole
// numbers only.
func integerRange(lo, hi float64) Predicate {
	return numeric(func(f float64, _, fr int) bool { return fr == 0 && f >= lo && (hi < 0 || f <= hi) })
}

// length: "Format: genau n Stellen" (exact) / "max. n Stellen".
func length(n int, exact bool) Predicate {
	return func(sc *Scope) Tri {
		l := len([]rune(sc.Value))
		if exact {
			return TriOf(l == n)
		}
		return TriOf(l <= n)
	}
}

// digitGroups: "Format: n1-n2-n1-n3" — groups of exactly that many digits
// separated by '-'.
func digitGroups(widths ...int) Predicate {
	return func(sc *Scope) Tri {
		v := sc.Value
		for k, w := range widths {
			if len(v) < w || !allDigits(v[:w]) {
				return False
			}
			v = v[w:]
			if k < len(widths)-1 {
				if v == "" || v[0] != '-' {
					return False
				}
				v = v[1:]
			}
		}
		return TriOf(v == "")
	}
}

// idCheck: the value is a valid identifier of the kind.
func idCheck(validate func(string) error) Predicate {
	return func(sc *Scope) Tri { return TriOf(validate(sc.Value) == nil) }
}

// notDTM303 reports whether the line is a DTM segment whose DE2379 format
// code is present and not 303.
func (sc *Scope) notDTM303() bool {
	s := sc.segment()
	if s == nil || s.Tag != "DTM" {
		return false
	}
	c := s.Element(0).Component(2)
	return !c.IsEmpty() && !c.Equal(catalog.DTMFormat303)
}

// parse303 reads a DE2380 value of format 303 (CCYYMMDDHHMMZZZ) whose ZZZ
// is "+00" without allocating; ok is false for anything else (an invalid
// date included). It is the hot-path twin of catalog.ParseDTM, which the
// tests check it against.
func parse303(v string) (time.Time, bool) {
	if len(v) != 15 || v[12:] != "+00" {
		return time.Time{}, false
	}
	var n [6]int
	widths := [6]int{4, 2, 2, 2, 2}
	p := 0
	for k := 0; k < 5; k++ {
		for j := 0; j < widths[k]; j++ {
			c := v[p]
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			n[k] = n[k]*10 + int(c-'0')
			p++
		}
	}
	if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[3] > 23 || n[4] > 59 {
		return time.Time{}, false
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], 0, 0, time.UTC)
	if t.Day() != n[2] {
		return time.Time{}, false // e.g. 31 April
	}
	return t, true
}

// zzzUTC: "[931] Format: ZZZ = +00" on a DTM value of format 303
// (CCYYMMDDHHMMZZZ). Unknown for other formats (they carry no ZZZ).
func zzzUTC(sc *Scope) Tri {
	if sc.notDTM303() {
		return Unknown
	}
	_, ok := parse303(sc.Value)
	return TriOf(ok)
}

// dayBoundary is the UTILMD time condition: a 303 date/time in UTC that is
// the start of a German business day — 00:00 German time for Strom
// ([UB1]), 06:00 for Gas ([UB2]).
//
// UNVERIFIED: the UB texts are not in the shared AHB data. The definition
// follows the Allgemeine Festlegungen chapter 3 (all times in UTC, ZZZ = +00)
// and 3.1 (day boundary 00:00 Strom, 06:00 Gas German time), as quoted in
// ../shared/ahb-data/…/_engine/daten/af-regeln.js and edifact.md §4;
// PredicatesFor(…, WithoutUnverified()) leaves it out.
func dayBoundary(gas bool) Predicate {
	return func(sc *Scope) Tri {
		if sc.notDTM303() {
			return Unknown
		}
		t, ok := parse303(sc.Value)
		if !ok {
			return False
		}
		// Quick reject: a German day boundary is 22:00/23:00 UTC (Strom) or
		// 04:00/05:00 UTC (Gas).
		h, m := t.Hour(), t.Minute()
		if gas {
			return TriOf(m == 0 && (h == 4 || h == 5) && fristen.IsGastagLimit(t))
		}
		return TriOf(m == 0 && (h == 22 || h == 23) && fristen.IsStromtagLimit(t))
	}
}

// formatDef is one format condition with the text(s) the AHBs give it
// (variants of the same rule, e.g. "> 0" and ">0").
type formatDef struct {
	n      uint16
	quotes []string
	fn     Predicate
}

func fd(n uint16, fn Predicate, quotes ...string) formatDef { return formatDef{n, quotes, fn} }

// allFormats lists the format conditions implemented, with the quotes of
// their text in the AHBs of ../shared/ahb-data (numbers mean the same rule
// in every AHB that lists them; TestCitations checks each AHB's text).
func allFormats() []formatDef {
	return []formatDef{
		fd(902, compare(">=", 0), "Format: Möglicher Wert: ≥ 0", "Format: Wert darf nur positiv oder 0 sein"),
		fd(903, compare("==", 1), "Format: Möglicher Wert: 1"),
		fd(904, length(16, true), "Format: genau 16 Stellen"),
		fd(905, length(3, false), "Format: max. 3 Stellen"),
		fd(906, maxFraction(3), "Format: max. 3 Nachkommastellen"),
		fd(907, maxFraction(4), "Format: max. 4 Nachkommastellen"),
		fd(908, integerRange(1, -1), "Format: Mögliche Werte: 1 bis n"),
		fd(909, integerRange(0, -1), "Format: Mögliche Werte: 0 bis n"),
		fd(910, numeric(func(float64, int, int) bool { return true }), "Format: Möglicher Wert: < 0 oder ≥ 0"),
		fd(912, maxFraction(6), "Format: max. 6 Nachkommastellen", "Format: Wert kann mit maximal 6 Nachkommastellen angegeben werden"),
		fd(913, integerRange(1, 99999), "Format: Mögliche Werte: 1 bis 99999"),
		fd(914, compare(">", 0), "Format: Möglicher Wert: > 0", "Format: Möglicher Wert: >0"),
		fd(915, compare("!=", 1), "Format: Möglicher Wert: ≠ 1"),
		fd(917, maxInteger(4), "Format: max. 4 Vorkommastellen"),
		fd(922, idCheck(ident.ValidateTechnischeRessource), "Format: TR-ID"),
		fd(925, maxFraction(5), "Format: max. 5 Nachkommastellen"),
		fd(926, compare("==", 0), "Format: Möglicher Wert: 0"),
		fd(927, compare("==", -1), "Format: Möglicher Wert: -1"),
		fd(929, compare("==", 1000), "Format: Möglicher Wert: 1000"),
		fd(930, maxFraction(2), "Format: max. 2 Nachkommastellen"),
		fd(931, zzzUTC, "Format: ZZZ = +00"),
		fd(937, maxFraction(0), "Format: keine Nachkommastelle"),
		fd(938, compare("<=", 10), "Format: Möglicher Wert: <= 10"),
		fd(939, email, "Format: Die Zeichenkette muss die Zeichen @ und . enthalten"),
		fd(940, phone, "Format: Die Zeichenkette muss mit dem Zeichen + beginnen und danach dürfen nur noch Ziffern folgen"),
		fd(942, digitGroups(1, 2, 1, 3), "Format: n1-n2-n1-n3"),
		fd(943, digitGroups(1, 2, 1), "Format: n1-n2-n1"),
		fd(946, maxFraction(11), "Format: max. 11 Nachkommastellen"),
		fd(948, digitGroups(1, 2, 1, 8, 2), "Format: n1-n2-n1-n8-n2"),
		fd(949, digitGroups(1, 2, 1, 8, 2, 1), "Format: n1-n2-n1-n8-n2-n1"),
		fd(950, idCheck(ident.ValidateMaLo), "Format: Marktlokations-ID"),
		fd(951, idCheck(ident.ValidateMeLo), "Format: Zählpunktbezeichnung"),
		fd(953, idCheck(func(s string) error {
			if ident.ValidateMaLo(s) == nil {
				return nil
			}
			return ident.ValidateMeLo(s)
		}), "Format: Marktlokations-ID oder Zählpunktbezeichnung"),
		fd(955, compare("<", 100), "Format: Möglicher Wert: < 100", "Format: Möglicher Wert: <100"),
		fd(957, digitGroups(1, 2, 1, 8), "Format: n1-n2-n1-n8"),
		fd(959, digitGroups(13, 2), "Format: n13-n2"),
		fd(960, idCheck(ident.ValidateNeLo), "Format: Netzlokations-ID"),
		fd(961, idCheck(ident.ValidateSteuerbareRessource), "Format: SR-ID"),
		fd(962, maxInteger(6), "Format: max. 6 Vorkommastellen"),
		fd(963, compare("<=", 100), "Format: Möglicher Wert: ≤ 100"),
		fd(968, compare("<=", 0), "Format: Möglicher Wert: ≤ 0"),
		fd(969, compare("<=", 1), "Format: Möglicher Wer: ≤ 1"),
	}
}

// formatDefs returns the registrations of the given format conditions.
func formatDefs(ns ...uint16) []def {
	all := allFormats()
	out := make([]def, 0, len(ns))
	for _, n := range ns {
		for _, f := range all {
			if f.n == n {
				d := format(f.n, f.quotes[0], f.fn)
				d.alts = f.quotes[1:]
				out = append(out, d)
			}
		}
	}
	if len(out) != len(ns) {
		panic("cond: formatDefs: unknown format condition")
	}
	return out
}
