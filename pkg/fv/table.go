package fv

import (
	"errors"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Berlin on hosts without a zoneinfo database
)

// KeyDate is one row of the format-version calendar: the version and the
// German local date from which it applies (00:00 Europe/Berlin).
type KeyDate struct {
	Version   Version
	ValidFrom string // YYYY-MM-DD, German local date
	Note      string
}

// keyDates is the BDEW format-version calendar.
//
// Source: shared/reference/edifact.md §7.1, after Hochfrequenz/efoli
// src/efoli/edifact_format_version.py. FV2404 started 2024-04-03 (not 04-01),
// FV2504 was moved from 2025-04-04 to 2025-06-06 (LFW24 go-live). No cited
// source dates a version after FV2610.
var keyDates = []KeyDate{
	{MustParse("FV2104"), "2021-04-01", ""},
	{MustParse("FV2110"), "2021-10-01", ""},
	{MustParse("FV2210"), "2022-10-01", "MaKo 2022; there is no FV2204"},
	{MustParse("FV2304"), "2023-04-01", ""},
	{MustParse("FV2310"), "2023-10-01", "UTILMD split into Strom (S...) and Gas (G...)"},
	{MustParse("FV2404"), "2024-04-03", "starts 2024-04-03, not 04-01"},
	{MustParse("FV2410"), "2024-10-01", ""},
	{MustParse("FV2504"), "2025-06-06", "moved from 2025-04-04; LFW24 go-live"},
	{MustParse("FV2510"), "2025-10-01", ""},
	{MustParse("FV2604"), "2026-04-01", ""},
	{MustParse("FV2610"), "2026-10-01", "current"},
}

// ErrBeforeFirst is returned by Resolve for instants before the first known
// format version.
var ErrBeforeFirst = errors.New("fv: instant precedes the first known format version")

var berlin = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(fmt.Sprintf("fv: load Europe/Berlin (import time/tzdata): %v", err))
	}
	return loc
})

// starts are the key dates as instants, computed once: Resolve is on the
// ingest hot path.
var starts = sync.OnceValue(func() []time.Time {
	out := make([]time.Time, len(keyDates))
	for i, k := range keyDates {
		t, err := time.ParseInLocation("2006-01-02", k.ValidFrom, berlin())
		if err != nil {
			panic(fmt.Sprintf("fv: key date %q of %s: %v", k.ValidFrom, k.Version, err))
		}
		out[i] = t
	}
	return out
})

// KeyDates returns a copy of the format-version calendar, oldest first.
func KeyDates() []KeyDate { return append([]KeyDate(nil), keyDates...) }

// Known reports whether v is in the calendar.
func Known(v Version) bool {
	_, ok := ValidFrom(v)
	return ok
}

// ValidFrom returns the instant (German local midnight) from which v applies.
func ValidFrom(v Version) (time.Time, bool) {
	for i, k := range keyDates {
		if k.Version == v {
			return starts()[i], true
		}
	}
	return time.Time{}, false
}

// Resolve returns the format version in force at instant t (the receipt
// time of a message, per edifact.md §7.3). Instants after the last known key
// date resolve to the last known version.
func Resolve(t time.Time) (Version, error) {
	var out Version
	for i, from := range starts() {
		if t.Before(from) {
			break
		}
		out = keyDates[i].Version
	}
	if out.IsZero() {
		return Version{}, ErrBeforeFirst
	}
	return out, nil
}
