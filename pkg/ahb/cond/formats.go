package cond

import (
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/fristen"
)

// Format conditions [9xx]. Their texts are the same in every AHB that uses
// them (TestCitations checks each registration against the AHB's own text);
// formatDefs returns the ones an AHB lists, by number.

// decimal splits an EDIFACT decimal value ("-12.345", decimal mark '.' per
// the Allgemeine Festlegungen; ',' accepted as the UN/EDIFACT alternative)
// into sign, integer digits and fraction digits; ok is false for anything
// else.
func decimal(v string) (neg bool, intPart, frac string, ok bool) {
	if v == "" {
		return false, "", "", false
	}
	if v[0] == '-' {
		neg, v = true, v[1:]
	}
	i := strings.IndexAny(v, ".,")
	intPart, frac = v, ""
	if i >= 0 {
		intPart, frac = v[:i], v[i+1:]
		if frac == "" {
			return false, "", "", false
		}
	}
	if intPart == "" && frac == "" {
		return false, "", "", false
	}
	for _, s := range []string{intPart, frac} {
		for j := 0; j < len(s); j++ {
			if s[j] < '0' || s[j] > '9' {
				return false, "", "", false
			}
		}
	}
	return neg, intPart, frac, true
}

// isZero reports whether all digits are '0' (or there are none).
func isZero(s string) bool { return strings.Trim(s, "0") == "" }

// maxFraction: "Format: max. n Nachkommastellen".
func maxFraction(n int) Predicate {
	return func(sc *Scope) Tri {
		_, _, f, ok := decimal(sc.Value)
		return triOK(len(f) <= n, ok)
	}
}

// cmpValue compares the decimal value with the integer limit: -1, 0, +1.
func cmpValue(v string, limit int) (int, bool) {
	neg, ip, fr, ok := decimal(v)
	if !ok {
		return 0, false
	}
	ip = strings.TrimLeft(ip, "0")
	zero := ip == "" && isZero(fr)
	if zero {
		neg = false
	}
	if limit < 0 {
		return 0, false // limits in the AHB texts are ≥ 0
	}
	if neg {
		return -1, true
	}
	ls := strings.TrimLeft(itoa(limit), "0")
	switch {
	case len(ip) != len(ls):
		if len(ip) < len(ls) {
			return -1, true
		}
		return 1, true
	case ip != ls:
		if ip < ls {
			return -1, true
		}
		return 1, true
	case !isZero(fr):
		return 1, true
	}
	return 0, true
}

func itoa(n int) string {
	if n == 0 {
		return ""
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// compare: "Format: Möglicher Wert: <op> limit".
func compare(op string, limit int) Predicate {
	return func(sc *Scope) Tri {
		c, ok := cmpValue(sc.Value, limit)
		if !ok {
			return False // not a number: the format is violated
		}
		switch op {
		case ">":
			return TriOf(c > 0)
		case ">=":
			return TriOf(c >= 0)
		case "<":
			return TriOf(c < 0)
		case "<=":
			return TriOf(c <= 0)
		}
		return Unknown
	}
}

// isNumber wraps a fraction check so that a non-number is a violation.
func numberWith(p Predicate) Predicate {
	return func(sc *Scope) Tri {
		if _, _, _, ok := decimal(sc.Value); !ok {
			return False
		}
		return p(sc)
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

// formatDef is one format condition with the text every AHB gives it.
type formatDef struct {
	n     uint16
	quote string
	fn    Predicate
}

// allFormats lists the format conditions implemented, with the quote of
// their text ("Format: …" in every AHB of ../shared/ahb-data).
func allFormats() []formatDef {
	return []formatDef{
		{902, "Format: Möglicher Wert: ≥ 0", compare(">=", 0)},
		{907, "Format: max. 4 Nachkommastellen", numberWith(maxFraction(4))},
		{912, "Format: max. 6 Nachkommastellen", numberWith(maxFraction(6))},
		{914, "Format: Möglicher Wert: > 0", compare(">", 0)},
		{930, "Format: max. 2 Nachkommastellen", numberWith(maxFraction(2))},
		{931, "Format: ZZZ = +00", zzzUTC},
		{937, "Format: keine Nachkommastelle", numberWith(maxFraction(0))},
		{938, "Format: Möglicher Wert: <= 10", compare("<=", 10)},
		{950, "Format: Marktlokations-ID", idCheck(ident.ValidateMaLo)},
		{951, "Format: Zählpunktbezeichnung", idCheck(ident.ValidateMeLo)},
		{953, "Format: Marktlokations-ID oder Zählpunktbezeichnung", idCheck(func(s string) error {
			if ident.ValidateMaLo(s) == nil {
				return nil
			}
			return ident.ValidateMeLo(s)
		})},
		{955, "Format: Möglicher Wert: < 100", compare("<", 100)},
		{960, "Format: Netzlokations-ID", idCheck(ident.ValidateNeLo)},
		{961, "Format: SR-ID", idCheck(ident.ValidateSteuerbareRessource)},
		{922, "Format: TR-ID", idCheck(ident.ValidateTechnischeRessource)},
	}
}

// formatDefs returns the registrations of the given format conditions.
func formatDefs(ns ...uint16) []def {
	all := allFormats()
	out := make([]def, 0, len(ns))
	for _, n := range ns {
		for _, f := range all {
			if f.n == n {
				out = append(out, format(f.n, f.quote, f.fn))
			}
		}
	}
	if len(out) != len(ns) {
		panic("cond: formatDefs: unknown format condition")
	}
	return out
}
