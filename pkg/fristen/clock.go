package fristen

import (
	"fmt"
	"strings"
	"time"
)

// DueKind says how a DueSpec turns a receipt instant into a due instant.
type DueKind uint8

const (
	// DueAfter: receipt instant + After (elapsed time, DST-safe).
	DueAfter DueKind = iota + 1
	// DueNextDayAt: Hour:Minute German local time on the calendar day after
	// the German local receipt date.
	DueNextDayAt
	// DueNextWerktagAt: Hour:Minute German local time on the first Werktag
	// strictly after the German local receipt date.
	DueNextWerktagAt
	// DueEndOfNthWerktag: the end of the N-th Werktag after the receipt date
	// (receipt day not counted, GPKE chapter 7), i.e. 00:00 German local time
	// of the following calendar day.
	DueEndOfNthWerktag
)

// DueSpec is a data description of one deadline rule.
type DueSpec struct {
	Kind         DueKind
	After        time.Duration // DueAfter
	Hour, Minute int           // DueNextDayAt, DueNextWerktagAt
	N            int           // DueEndOfNthWerktag
}

// String describes the spec in words.
func (s DueSpec) String() string {
	switch s.Kind {
	case DueAfter:
		return fmt.Sprintf("%s after receipt", s.After)
	case DueNextDayAt:
		return fmt.Sprintf("%02d:%02d on the calendar day after receipt", s.Hour, s.Minute)
	case DueNextWerktagAt:
		return fmt.Sprintf("%02d:%02d on the next Werktag after receipt", s.Hour, s.Minute)
	case DueEndOfNthWerktag:
		return fmt.Sprintf("end of the %d. Werktag after receipt", s.N)
	}
	return "invalid"
}

func (s DueSpec) valid() bool {
	switch s.Kind {
	case DueAfter:
		return s.After > 0
	case DueNextDayAt, DueNextWerktagAt:
		return s.Hour >= 0 && s.Hour < 24 && s.Minute >= 0 && s.Minute < 60
	case DueEndOfNthWerktag:
		return s.N >= 1
	}
	return false
}

// due applies s to the receipt instant.
func (c *Calendar) due(received time.Time, s DueSpec) time.Time {
	r := c.localDay(received)
	switch s.Kind {
	case DueAfter:
		return received.Add(s.After).In(berlin)
	case DueNextDayAt:
		return (r + 1).at(s.Hour, s.Minute)
	case DueNextWerktagAt:
		return c.nthAfter(r, 1).at(s.Hour, s.Minute)
	case DueEndOfNthWerktag:
		return c.start(c.nthAfter(r, s.N) + 1)
	}
	return time.Time{}
}

// ReceiptDay restricts a rule to the kind of German local day of receipt.
type ReceiptDay uint8

const (
	// AnyDay matches every receipt day.
	AnyDay ReceiptDay = iota
	// OnSaturday matches a receipt on a Saturday.
	OnSaturday
	// OnSundayOrHoliday matches a receipt on a non-Werktag that is not a
	// Saturday (Sundays, holidays, 24.12., 31.12., special days).
	OnSundayOrHoliday
	// OnWerktag matches a receipt on a Werktag.
	OnWerktag
)

func (c *Calendar) receiptMatches(rd ReceiptDay, received time.Time) bool {
	r := c.localDay(received)
	switch rd {
	case AnyDay:
		return true
	case OnSaturday:
		return r.weekday() == time.Saturday
	case OnSundayOrHoliday:
		return r.weekday() != time.Saturday && !c.isWT(r)
	case OnWerktag:
		return c.isWT(r)
	}
	return false
}

// Deadline is the result of a deadline clock.
type Deadline struct {
	// Due is the deadline instant in Europe/Berlin.
	Due time.Time
	// Rule names the rule that produced Due.
	Rule string
	// Source cites the reference section of the rule.
	Source string
	// Verified is false if the reference marks the rule, or the reading
	// applied, as unverified or as an interpretation.
	Verified bool
	// Note explains an interpretation or an open point; empty if none.
	Note string
}

// matchType reports whether msgType is in types (case-insensitive); an empty
// types list matches every type.
func matchType(types []string, msgType string) bool {
	if len(types) == 0 {
		return true
	}
	for _, t := range types {
		if strings.EqualFold(t, msgType) {
			return true
		}
	}
	return false
}
