package catalog

import (
	"errors"
	"fmt"
	"time"
)

// DTM date/time format codes (DE2379) of edifact.md §4.
const (
	DTMFormat303 = "303" // CCYYMMDDHHMMZZZ, ZZZ = +00 [A: AHB condition [931]]
	DTMFormat102 = "102" // CCYYMMDD [C]
	DTMFormat610 = "610" // CCYYMM [C]
	DTMFormat602 = "602" // CCYY [C]
	DTMFormat719 = "719" // CCYYMMDDHHMMCCYYMMDDHHMM, start and end [A: APERAK AHB 1.1, Z34 example]
	DTMFormatZ01 = "Z01" // "ZZRB": count + unit + reference, e.g. 30TM (a notice period, not a time) [C]
)

// ErrDTMFormat is wrapped by every ParseDTM error.
var ErrDTMFormat = errors.New("catalog: invalid DTM value for its format")

// ErrDTMUnknownFormat is wrapped (besides ErrDTMFormat) by the ParseDTM
// error for a format code ParseDTM does not interpret (e.g. 802 Monat, 106
// MMDD, 104 MMWW of UTILMD Gas): the value may well be right, ParseDTM
// cannot tell.
var ErrDTMUnknownFormat = errors.New("catalog: DTM format code not interpreted")

// DTM is a parsed DTM date/time value (C507 2380 with its format 2379).
type DTM struct {
	// Start is the instant (for 719 the start of the period) in UTC. For 102,
	// 610 and 602 it is 00:00 UTC of the first day covered; these formats
	// carry no time of day, and the German business day (edifact.md §4,
	// 00:00 German time in Strom, 06:00 in Gas) is the caller's concern.
	Start time.Time
	// End is the end of a 719 period, zero otherwise.
	End time.Time
	// OffsetHours is ZZZ of format 303 (edifact.md §4: always +00 in
	// EDI@Energy; anything else violates AHB condition [931]).
	OffsetHours int
	// Duration is the raw "count+unit+reference" value of format Z01.
	Duration string
}

// ParseDTM parses an unescaped DTM value (e.g. "202611232300+00", as
// returned by the parser after removing the release character) in the
// given format code (edifact.md §4). For 303, ZZZ is a sign and two digits;
// a value without ZZZ (12 digits) is rejected. Z01 values are returned in
// Duration without interpretation. Unknown format codes are an error.
func ParseDTM(value, format string) (DTM, error) {
	bad := func(why string) (DTM, error) {
		return DTM{}, fmt.Errorf("%w: %q (format %s): %s", ErrDTMFormat, value, format, why)
	}
	switch format {
	case DTMFormat303:
		if len(value) != 15 {
			return bad("want CCYYMMDDHHMM+ZZ")
		}
		t, err := time.ParseInLocation("200601021504", value[:12], time.UTC)
		if err != nil {
			return bad(err.Error())
		}
		sign := value[12]
		if (sign != '+' && sign != '-') || !isDigits(value[13:]) {
			return bad("want ZZZ = ±hh")
		}
		off := int(value[13]-'0')*10 + int(value[14]-'0')
		if sign == '-' {
			off = -off
		}
		return DTM{Start: t.Add(-time.Duration(off) * time.Hour), OffsetHours: off}, nil
	case DTMFormat102, DTMFormat610, DTMFormat602:
		layout := map[string]string{DTMFormat102: "20060102", DTMFormat610: "200601", DTMFormat602: "2006"}[format]
		if len(value) != len(layout) || !isDigits(value) {
			return bad("want " + layout)
		}
		t, err := time.ParseInLocation(layout, value, time.UTC)
		if err != nil {
			return bad(err.Error())
		}
		return DTM{Start: t}, nil
	case DTMFormat719:
		if len(value) != 24 || !isDigits(value) {
			return bad("want CCYYMMDDHHMMCCYYMMDDHHMM")
		}
		s, err1 := time.ParseInLocation("200601021504", value[:12], time.UTC)
		e, err2 := time.ParseInLocation("200601021504", value[12:], time.UTC)
		if err := errors.Join(err1, err2); err != nil {
			return bad(err.Error())
		}
		return DTM{Start: s, End: e}, nil
	case DTMFormatZ01:
		if value == "" {
			return bad("empty")
		}
		return DTM{Duration: value}, nil
	}
	return DTM{}, fmt.Errorf("%w: %w: %q (format %s)", ErrDTMFormat, ErrDTMUnknownFormat, value, format)
}

// FormatDTM303 renders t as a format-303 value in UTC with ZZZ = +00
// (unescaped, e.g. "202611200931+00"; a builder escapes the '+').
func FormatDTM303(t time.Time) string {
	return t.UTC().Format("200601021504") + "+00"
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
