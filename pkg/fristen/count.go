package fristen

import (
	"fmt"
	"time"
)

// nthAfter is the n-th Werktag strictly after d (n ≥ 1).
func (c *Calendar) nthAfter(d day, n int) day {
	if c.inTable(d) {
		i := int(c.cum[d-c.lo+1]) + n - 1 // Werktage ≤ d, then n more
		if i < len(c.wts) {
			return c.lo + day(c.wts[i])
		}
	}
	return c.stepForward(d, n)
}

// nthBefore is the n-th Werktag strictly before d (n ≥ 1).
func (c *Calendar) nthBefore(d day, n int) day {
	if c.inTable(d) {
		i := int(c.cum[d-c.lo]) - n // Werktage < d, then n back
		if i >= 0 {
			return c.lo + day(c.wts[i])
		}
	}
	return c.stepBackward(d, n)
}

// stepForward and stepBackward are the day-by-day definitions; the table
// paths above must agree with them (property-tested).
func (c *Calendar) stepForward(d day, n int) day {
	for n > 0 {
		d++
		if c.isWT(d) {
			n--
		}
	}
	return d
}

func (c *Calendar) stepBackward(d day, n int) day {
	for n > 0 {
		d--
		if c.isWT(d) {
			n--
		}
	}
	return d
}

// addWT moves n Werktage from d: n > 0 the n-th Werktag strictly after d,
// n < 0 the |n|-th Werktag strictly before d, n == 0 d itself.
func (c *Calendar) addWT(d day, n int) day {
	switch {
	case n > 0:
		return c.nthAfter(d, n)
	case n < 0:
		return c.nthBefore(d, -n)
	}
	return d
}

// NextWerktag returns the first Werktag strictly after the German local date
// of t (00:00 Europe/Berlin).
func (c *Calendar) NextWerktag(t time.Time) time.Time {
	return c.start(c.nthAfter(c.localDay(t), 1))
}

// PreviousWerktag returns the last Werktag strictly before the German local
// date of t (00:00 Europe/Berlin).
func (c *Calendar) PreviousWerktag(t time.Time) time.Time {
	return c.start(c.nthBefore(c.localDay(t), 1))
}

// AddWerktage applies the GPKE counting rule (fristen.md §3.1): the receipt
// day (the German local date of t) is never counted. For n > 0 it returns the
// n-th Werktag strictly after that date, which is the earliest date of an
// end-of-day event with an n-WT period (inclusive end). For n < 0 it returns
// the |n|-th Werktag strictly before it, for n == 0 the date itself. A receipt
// on a non-Werktag thus behaves like a receipt on the preceding Werktag
// (§3.3). The result is 00:00 Europe/Berlin.
//
// For Werktag dates d, AddWerktage(AddWerktage(d, n), -n) == d. For
// start-of-day events (exclusive end) use AddPeriod. Inside the table the cost
// is constant; beyond it, linear in |n|.
func (c *Calendar) AddWerktage(t time.Time, n int) time.Time {
	return c.start(c.addWT(c.localDay(t), n))
}

// SubtractWerktage is AddWerktage(t, -n).
func (c *Calendar) SubtractWerktage(t time.Time, n int) time.Time {
	return c.AddWerktage(t, -n)
}

// WerktageBetween counts the Werktage d with from < d ≤ to (German local
// dates): the GPKE count, in which the receipt day is not counted, so that
// WerktageBetween(a, AddWerktage(a, n)) == n for n ≥ 0. If to is before from
// the result is minus the count of Werktage d with to < d ≤ from.
func (c *Calendar) WerktageBetween(from, to time.Time) int {
	a, b := c.localDay(from), c.localDay(to)
	if b < a {
		return -c.countRange(b+1, a+1)
	}
	return c.countRange(a+1, b+1)
}

// CountWerktage counts the Werktage in the closed range [from, to] of German
// local dates (0 if to is before from). This is the counting of epilot's
// countWorkingDays (fristen.md §11.5, E4), not the GPKE period count.
func (c *Calendar) CountWerktage(from, to time.Time) int {
	return c.countRange(c.localDay(from), c.localDay(to)+1)
}

func checkMonth(year int, month time.Month) error {
	if month < time.January || month > time.December || year < 1 || year > 9999 {
		return fmt.Errorf("fristen: month %04d-%02d: %w", year, int(month), ErrInvalidArgument)
	}
	return nil
}

// NthWerktag returns the n-th Werktag of the month, counted from the 1st (the
// 1st counts if it is a Werktag): "n WT of month M" of the MaBiS/KoV
// Fristenkalender (fristen.md §6.1). If the month has fewer than n Werktage
// the count continues into the following months. n must be ≥ 1.
func (c *Calendar) NthWerktag(year int, month time.Month, n int) (time.Time, error) {
	if err := checkMonth(year, month); err != nil {
		return time.Time{}, err
	}
	if n < 1 {
		return time.Time{}, fmt.Errorf("fristen: NthWerktag(%04d-%02d, %d): n must be ≥ 1: %w", year, int(month), n, ErrInvalidArgument)
	}
	first := daysFromCivil(year, month, 1)
	return c.start(c.nthAfter(first-1, n)), nil
}

// NthWerktagAfterMonth returns the n-th Werktag after the end of the month,
// i.e. counted from the 1st of the following month. This is the "nWT (⭐k)"
// entry of the Fristenkalender and what bdew-datetimes calls FRISTENMONAT
// (fristen.md §6.1, §6.3). n must be ≥ 1.
func (c *Calendar) NthWerktagAfterMonth(year int, month time.Month, n int) (time.Time, error) {
	if err := checkMonth(year, month); err != nil {
		return time.Time{}, err
	}
	if month == time.December {
		return c.NthWerktag(year+1, time.January, n)
	}
	return c.NthWerktag(year, month+1, n)
}

// LastWerktag returns the last Werktag of the month (LWT, fristen.md §6.1). It
// returns ErrInvalidArgument if the month has no Werktag (possible only with
// custom special days).
func (c *Calendar) LastWerktag(year int, month time.Month) (time.Time, error) {
	if err := checkMonth(year, month); err != nil {
		return time.Time{}, err
	}
	first := daysFromCivil(year, month, 1)
	next := firstOfNextMonth(year, month)
	d := c.nthBefore(next, 1)
	if d < first {
		return time.Time{}, fmt.Errorf("fristen: %04d-%02d has no Werktag: %w", year, int(month), ErrInvalidArgument)
	}
	return c.start(d), nil
}

// NthLastWerktag returns "nLWT" as the Fristenkalender computes 3LWT
// (fristen.md §6.1): start at the last calendar day of the month and step back
// to the previous Werktag n times; the last day itself is not counted even if
// it is a Werktag. Hence NthLastWerktag(y, m, 1) is not LastWerktag when the
// last day is a Werktag. n must be ≥ 1. The result may lie in an earlier month.
//
// 3LWT was the last date for an Anmeldung with asynchronous balancing (Strom);
// it ended with LFW24 on 2025-06-06 (§6.1). This function computes the date for
// any month; whether the Frist still applies is the caller's decision.
func (c *Calendar) NthLastWerktag(year int, month time.Month, n int) (time.Time, error) {
	if err := checkMonth(year, month); err != nil {
		return time.Time{}, err
	}
	if n < 1 {
		return time.Time{}, fmt.Errorf("fristen: NthLastWerktag(%04d-%02d, %d): n must be ≥ 1: %w", year, int(month), n, ErrInvalidArgument)
	}
	last := firstOfNextMonth(year, month) - 1
	return c.start(c.nthBefore(last, n)), nil
}

func firstOfNextMonth(year int, month time.Month) day {
	if month == time.December {
		return daysFromCivil(year+1, time.January, 1)
	}
	return daysFromCivil(year, month+1, 1)
}

// AsyncBalancingEnd is the date 3LWT ceased to apply (LFW24 start, fristen.md
// §6.1): the Fristenkalender drops every 3LWT entry on or after this date.
func AsyncBalancingEnd() time.Time { return daysFromCivil(2025, time.June, 6).startSlow() }
