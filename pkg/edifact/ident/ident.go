// Package ident validates the identifiers of the German energy market
// communication: Marktlokation (MaLo), Messlokation (MeLo), Netzlokation
// (NeLo), technische and steuerbare Ressource (TR, SR), market partner ids
// (MP-ID: BDEW, DVGW, GS1 GLN), ENTSO-E Energy Identification Codes (EIC)
// and OBIS codes.
//
// Every failure is a *Error that names the identifier type and value and
// wraps one of the sentinel errors (ErrEmpty, ErrLength, ErrCharacter,
// ErrPrefix, ErrCheckDigit, ErrRange), so callers can use errors.Is and
// errors.As. Functions never panic on input.
//
// Sources: edifact.md §5 gives the MaLo check digit and the MP-ID facts; the
// other formats are not in edifact.md and are marked in their doc comments
// with their source and whether they are verified.
package ident

import (
	"errors"
	"fmt"
)

// Type names an identifier type.
type Type uint8

// Identifier types.
const (
	TypeUnknown Type = iota
	TypeMaLo
	TypeMeLo
	TypeNeLo
	TypeTechnischeRessource
	TypeSteuerbareRessource
	TypeMPID
	TypeEIC
	TypeOBIS
)

var typeNames = [...]string{"unknown", "MaLo", "MeLo", "NeLo", "TR", "SR", "MP-ID", "EIC", "OBIS"}

// String returns the short German market name, e.g. "MaLo", "MP-ID".
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown"
}

// Sentinel errors wrapped by *Error.
var (
	ErrEmpty      = errors.New("empty")
	ErrLength     = errors.New("wrong length")
	ErrCharacter  = errors.New("invalid character")
	ErrPrefix     = errors.New("invalid prefix")
	ErrCheckDigit = errors.New("check digit mismatch")
	ErrRange      = errors.New("value out of range")
)

// Error reports an invalid identifier.
type Error struct {
	Type  Type
	Value string
	// Err is one of the sentinel errors of this package.
	Err error
	// Pos is the 0-based byte position of the offending character for
	// ErrCharacter and ErrPrefix, else -1.
	Pos int
	// Want and Got are the expected and actual check character for
	// ErrCheckDigit, else 0.
	Want, Got byte
	// Detail is an optional explanation.
	Detail string
}

// Error formats e.g. `ident: MaLo "51234567890": check digit mismatch (want 5, got 0)`.
func (e *Error) Error() string {
	s := fmt.Sprintf("ident: %s %q: %v", e.Type, e.Value, e.Err)
	switch {
	case e.Err == ErrCheckDigit:
		s += fmt.Sprintf(" (want %c, got %c)", e.Want, e.Got)
	case e.Pos >= 0 && (e.Err == ErrCharacter || e.Err == ErrPrefix):
		s += fmt.Sprintf(" at position %d", e.Pos+1)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

func fail(t Type, v string, err error, pos int, detail string) *Error {
	return &Error{Type: t, Value: v, Err: err, Pos: pos, Detail: detail}
}

func checkFail(t Type, v string, want, got byte) *Error {
	return &Error{Type: t, Value: v, Err: ErrCheckDigit, Pos: len(v) - 1, Want: want, Got: got}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isUpperAlnum(c byte) bool { return isDigit(c) || (c >= 'A' && c <= 'Z') }

// checkLen validates emptiness and exact length.
func checkLen(t Type, s string, n int) error {
	if s == "" {
		return fail(t, s, ErrEmpty, -1, "")
	}
	if len(s) != n {
		return fail(t, s, ErrLength, -1, fmt.Sprintf("want %d characters, got %d", n, len(s)))
	}
	return nil
}

// firstNonDigit returns the index of the first non-digit in s, or -1.
func firstNonDigit(s string) int {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return i
		}
	}
	return -1
}
