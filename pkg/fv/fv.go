// Package fv models EDI@Energy format versions (Formatversionen) and the
// dates from which each one is valid.
//
// A format version is written either in the short BDEW style "FV2604" or in
// the long style "FV2026-04-01" used by some tools. Both parse to the same
// Version; String always gives the short style. Versions are ordered
// chronologically.
//
// The key-date table is domain data with a cited source (see table.go).
package fv

import (
	"fmt"
	"strconv"
	"time"
)

// Version is an EDI@Energy format version, identified by the year and month
// of its nominal changeover (FV2604 = April 2026). The zero Version is
// invalid.
type Version struct {
	year  int
	month time.Month
}

// New returns the format version of the given year and month. It returns an
// error unless month is April or October (the only BDEW changeover months)
// and year lies between 2000 and 2099.
func New(year int, month time.Month) (Version, error) {
	if year < 2000 || year > 2099 {
		return Version{}, fmt.Errorf("fv: year %d out of range 2000-2099", year)
	}
	if month != time.April && month != time.October {
		return Version{}, fmt.Errorf("fv: month %d is not a changeover month (04 or 10)", month)
	}
	return Version{year: year, month: month}, nil
}

// MustParse is Parse that panics on error; for tables and tests only.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// Parse reads "FV2604" or "FV2026-04-01" (the day is ignored but must be a
// valid two-digit day). The "FV" prefix is required.
func Parse(s string) (Version, error) {
	if len(s) < 2 || s[:2] != "FV" {
		return Version{}, fmt.Errorf("fv: %q: missing FV prefix", s)
	}
	body := s[2:]
	switch len(body) {
	case 4: // YYMM
		yy, err1 := strconv.Atoi(body[:2])
		mm, err2 := strconv.Atoi(body[2:])
		if err1 != nil || err2 != nil || !digits(body) {
			return Version{}, fmt.Errorf("fv: %q: want FVYYMM", s)
		}
		return New(2000+yy, time.Month(mm))
	case 10: // YYYY-MM-DD
		t, err := time.Parse("2006-01-02", body)
		if err != nil {
			return Version{}, fmt.Errorf("fv: %q: want FVYYYY-MM-DD: %w", s, err)
		}
		return New(t.Year(), t.Month())
	default:
		return Version{}, fmt.Errorf("fv: %q: want FVYYMM or FVYYYY-MM-DD", s)
	}
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IsZero reports whether v is the invalid zero Version.
func (v Version) IsZero() bool { return v.year == 0 }

// Year returns the changeover year.
func (v Version) Year() int { return v.year }

// Month returns the changeover month (April or October).
func (v Version) Month() time.Month { return v.month }

// String returns the short style, e.g. "FV2604"; the zero Version gives "".
func (v Version) String() string {
	if v.IsZero() {
		return ""
	}
	return fmt.Sprintf("FV%02d%02d", v.year%100, int(v.month))
}

// Long returns the long style with the nominal first day, e.g. "FV2026-04-01".
func (v Version) Long() string {
	if v.IsZero() {
		return ""
	}
	return fmt.Sprintf("FV%04d-%02d-01", v.year, int(v.month))
}

// Compare returns -1, 0 or +1 as v is older than, equal to or newer than w.
func (v Version) Compare(w Version) int {
	a, b := v.year*12+int(v.month), w.year*12+int(w.month)
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether v is older than w.
func (v Version) Before(w Version) bool { return v.Compare(w) < 0 }

// After reports whether v is newer than w.
func (v Version) After(w Version) bool { return v.Compare(w) > 0 }

// MarshalText implements encoding.TextMarshaler with the short style.
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it accepts both styles
// and the empty string (the zero Version).
func (v *Version) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*v = Version{}
		return nil
	}
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}
