package ident

import (
	"strconv"
	"strings"
)

// eicAlphabet maps EIC characters to their values 0–36 (ENTSO-E EIC Reference Manual).
const eicAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-"

func eicValue(c byte) int { return strings.IndexByte(eicAlphabet, c) }

// EICCheckChar computes the check character of an Energy Identification
// Code from its first 15 characters [0-9A-Z-]: each character's value
// (0–9, A–Z = 10–35, '-' = 36) is weighted 16, 15, …, 2 from the left; the
// check character is the one whose value is 36 − ((sum − 1) mod 37). A
// result of '-' means no valid EIC has these 15 characters (ErrCheckDigit).
//
// Source: ENTSO-E EIC Reference Manual; the EIC is not described in
// edifact.md. Verified here against published EICs of the German and
// neighbouring control areas and bidding zone (see the tests).
func EICCheckChar(first15 string) (byte, error) {
	if len(first15) != 15 {
		return 0, fail(TypeEIC, first15, ErrLength, -1, "check character needs the first 15 characters")
	}
	c, pos := eicCheck(first15)
	if pos >= 0 {
		return 0, fail(TypeEIC, first15, ErrCharacter, pos, "want 0-9, A-Z or -")
	}
	if c == '-' {
		return 0, &Error{Type: TypeEIC, Value: first15, Err: ErrCheckDigit, Pos: -1, Want: '-',
			Detail: "these 15 characters yield '-', which is no valid check character"}
	}
	return c, nil
}

// eicCheck returns the check character, or the position of an invalid character.
func eicCheck(first15 string) (byte, int) {
	sum := 0
	for i := 0; i < 15; i++ {
		v := eicValue(first15[i])
		if v < 0 {
			return 0, i
		}
		sum += v * (16 - i)
	}
	return eicAlphabet[36-((sum-1)%37+37)%37], -1 // mathematical mod: sum 0 gives '0'
}

// ValidateEIC checks a 16-character Energy Identification Code: characters
// [0-9A-Z-], no '-' in the check position, and the check character of
// EICCheckChar. See EICCheckChar for the source.
func ValidateEIC(s string) error {
	if err := checkLen(TypeEIC, s, 16); err != nil {
		return err
	}
	want, pos := eicCheck(s[:15])
	if pos >= 0 {
		return fail(TypeEIC, s, ErrCharacter, pos, "want 0-9, A-Z or -")
	}
	if eicValue(s[15]) < 0 || s[15] == '-' {
		return fail(TypeEIC, s, ErrCharacter, 15, "the check character is 0-9 or A-Z")
	}
	if want != s[15] {
		return checkFail(TypeEIC, s, want, s[15])
	}
	return nil
}

// OBIS is a parsed OBIS code A-B:C.D.E with optional *F.
type OBIS struct {
	A, B, C, D, E int
	// F is valid only when HasF.
	F    int
	HasF bool
}

// String renders the code as A-B:C.D.E[*F], unescaped. In an EDIFACT value
// the ':' must be written "?:" (edifact.md §1.1); a builder does that.
func (o OBIS) String() string {
	var b strings.Builder
	b.Grow(16)
	b.WriteString(strconv.Itoa(o.A))
	b.WriteByte('-')
	b.WriteString(strconv.Itoa(o.B))
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(o.C))
	b.WriteByte('.')
	b.WriteString(strconv.Itoa(o.D))
	b.WriteByte('.')
	b.WriteString(strconv.Itoa(o.E))
	if o.HasF {
		b.WriteByte('*')
		b.WriteString(strconv.Itoa(o.F))
	}
	return b.String()
}

// ParseOBIS parses an (unescaped) OBIS code "A-B:C.D.E" or "A-B:C.D.E*F",
// each group a decimal number 0–255 without sign or leading '+'.
//
// Source: the OBIS notation of IEC 62056-61 (not in edifact.md; edifact.md
// §1.1 only notes that OBIS codes contain ':' and need "?:" in EDIFACT).
// Letter values in group C (e.g. "C" for service codes) are not accepted.
func ParseOBIS(s string) (OBIS, error) {
	var o OBIS
	if s == "" {
		return o, fail(TypeOBIS, s, ErrEmpty, -1, "")
	}
	seps := [...]byte{'-', ':', '.', '.', '*'}
	var vals [6]int
	i := 0
	for g := 0; g < 6; g++ {
		start := i
		n := 0
		for i < len(s) && isDigit(s[i]) {
			if i-start < 4 { // more digits are out of range anyway; no overflow
				n = n*10 + int(s[i]-'0')
			}
			i++
		}
		if i == start {
			if i < len(s) {
				return o, fail(TypeOBIS, s, ErrCharacter, i, "want a group number")
			}
			return o, fail(TypeOBIS, s, ErrLength, -1, "want A-B:C.D.E[*F]")
		}
		if n > 255 {
			return o, fail(TypeOBIS, s, ErrRange, start, "groups are 0-255")
		}
		vals[g] = n
		if g == 4 && i == len(s) {
			break // no F
		}
		if g == 5 {
			o.HasF = true
			break
		}
		if i >= len(s) {
			return o, fail(TypeOBIS, s, ErrLength, -1, "want A-B:C.D.E[*F]")
		}
		if s[i] != seps[g] {
			return o, fail(TypeOBIS, s, ErrCharacter, i, "want '"+string(seps[g])+"'")
		}
		i++
	}
	if i != len(s) {
		return o, fail(TypeOBIS, s, ErrCharacter, i, "trailing characters")
	}
	o.A, o.B, o.C, o.D, o.E, o.F = vals[0], vals[1], vals[2], vals[3], vals[4], vals[5]
	return o, nil
}

// ValidateOBIS is ParseOBIS without the result.
func ValidateOBIS(s string) error {
	_, err := ParseOBIS(s)
	return err
}
