package edifact

import (
	"errors"
	"fmt"
)

// Level is the CONTRL level a syntax finding is reported at (ref §10.2).
type Level uint8

// CONTRL levels.
const (
	LevelInterchange Level = iota + 1 // UCI: the interchange (UNA, UNB, UNZ)
	LevelMessage                      // UCM: a message's UNH/UNT
	LevelSegment                      // UCS: a body segment
	LevelElement                      // UCD: a data element or component of a body segment
)

// String returns the CONTRL segment tag of the level: "UCI", "UCM", "UCS" or "UCD".
func (l Level) String() string {
	switch l {
	case LevelInterchange:
		return "UCI"
	case LevelMessage:
		return "UCM"
	case LevelSegment:
		return "UCS"
	case LevelElement:
		return "UCD"
	}
	return fmt.Sprintf("Level(%d)", uint8(l))
}

// MarshalText encodes the level as its CONTRL tag.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Code is a CONTRL syntax error code (DE0085). The values and their
// permitted levels are listed in ref §10.3 (CONTRL AHB 1.0, MIG 2.0b).
type Code int

// DE0085 codes used by this package (ref §1.2, §2, §3, §10.3).
const (
	CodeUnsupportedSyntax     Code = 2  // UCI: syntax identifier or version not supported
	CodeNotRecipient          Code = 7  // UCI: interchange recipient is not the actual recipient
	CodeInvalidValue          Code = 12 // UCI/UCM/UCD: invalid value (includes an unknown PID)
	CodeMissing               Code = 13 // all levels: mandatory segment/element missing
	CodeNotSupportedHere      Code = 15 // UCS: segment not supported in this position
	CodeTooManyConstituents   Code = 16 // all levels: too many elements/components
	CodeDecimalNotation       Code = 19 // UCD: decimal notation differs from UNA
	CodeInvalidServiceCharUNA Code = 20 // UCI: UNA character not valid as service character
	CodeInvalidChar           Code = 21 // UCI/UCM/UCD: invalid character (outside UNOC)
	CodeInvalidServiceChar    Code = 22 // UCM/UCS/UCD: invalid use of a service character
	CodeUnknownSender         Code = 23 // UCI: sender unknown
	CodeTestNotSupported      Code = 25 // UCI: test indicator not supported
	CodeDuplicate             Code = 26 // UCI: DAR already received · UCM: same 0062 twice
	CodeReferenceMismatch     Code = 28 // UCI: UNZ 0020 ≠ UNB 0020 · UCM: UNT 0062 ≠ UNH 0062
	CodeCountMismatch         Code = 29 // UCI: UNZ 0036 wrong · UCM: UNT 0074 wrong
	CodeEmpty                 Code = 32 // UCI: no message in the interchange
	CodeTooManySegmentReps    Code = 35 // UCS: segment repetition exceeded
	CodeTooManyGroupReps      Code = 36 // UCS: group repetition exceeded
	CodeWrongCharType         Code = 37 // UCD: wrong character type (e.g. letters in a numeric)
	CodeNoDigitBeforeDecimal  Code = 38 // UCD: no digit before the decimal mark
	CodeTooLong               Code = 39 // UCM/UCD: data element too long
	CodeTooShort              Code = 40 // UCD: data element too short
)

// SyntaxError is a tokenizer or parser failure that makes the rest of the
// input unreadable (an invalid UNA, a trailing lone release character). It
// carries the CONTRL level and code the failure maps to.
type SyntaxError struct {
	Level        Level
	Code         Code
	SegmentTag   string // tag of the affected segment, if known
	SegmentIndex int    // 0-based index in the interchange, -1 if unknown
	Offset       int    // byte offset in the input
	Msg          string
}

// Error describes the failure with its byte offset and CONTRL level and code.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("edifact: syntax error at byte %d (%s %d): %s", e.Offset, e.Level, e.Code, e.Msg)
}

// ErrLimit is matched (errors.Is) by every *LimitError.
var ErrLimit = errors.New("edifact: input limit exceeded")

// LimitError reports that the input exceeded one of the configured [Limits].
// Parsing stops at the first exceeded limit.
type LimitError struct {
	Limit        string // name of the limit, e.g. "MaxSegments"
	Max          int    // the configured maximum
	Offset       int    // byte offset where the limit was exceeded
	SegmentIndex int    // 0-based index of the segment concerned
}

// Error names the exceeded limit, its value and where it was exceeded.
func (e *LimitError) Error() string {
	return fmt.Sprintf("edifact: %s (%d) exceeded at byte %d, segment %d", e.Limit, e.Max, e.Offset, e.SegmentIndex)
}

// Is makes errors.Is(err, ErrLimit) true for every *LimitError.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// ErrNotEDIFACT is returned when the input contains no segment at all.
var ErrNotEDIFACT = errors.New("edifact: input holds no EDIFACT segment")
