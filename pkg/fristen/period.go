package fristen

import (
	"fmt"
	"time"
)

// Unit is the day type of a Period.
type Unit uint8

const (
	// WT counts BDEW Werktage.
	WT Unit = iota
	// KT counts calendar days (Kalendertage).
	KT
)

// String returns "WT" or "KT".
func (u Unit) String() string {
	if u == KT {
		return "KT"
	}
	return "WT"
}

// End says whether the event ends a day or starts one (GPKE chapter 7,
// fristen.md §3.1).
type End uint8

const (
	// Inclusive: the event is at the end of a day (Lieferende, Abmeldedatum,
	// Kündigung); that day is part of the minimum period, so the earliest
	// date is the n-th day itself.
	Inclusive End = iota
	// Exclusive: the event is at the start of a day (Lieferbeginn,
	// Anmeldedatum); the n days must have elapsed before it, so the earliest
	// date is the day after the n-th day (see DayAfter).
	Exclusive
)

// String returns "inclusive" or "exclusive".
func (e End) String() string {
	if e == Exclusive {
		return "exclusive"
	}
	return "inclusive"
}

// DayAfter chooses what "the day after the n-th Werktag" means for an
// exclusive WT period. The GPKE text does not settle it (fristen.md §3.2,
// open point); the reading is therefore an explicit field of every Period.
type DayAfter uint8

const (
	// DayAfterCalendarDay: the next calendar day after the n-th Werktag, which
	// may be a Saturday, Sunday or holiday. This is the reading LFW24 needs and
	// the one backed by the EBDs (§3.2, §5) and epilot; it is the default.
	DayAfterCalendarDay DayAfter = iota
	// DayAfterNextWerktag: the next Werktag after the n-th Werktag, the
	// reading of bdew-datetimes' add_frist (§3.2).
	DayAfterNextWerktag
)

// String names the reading.
func (d DayAfter) String() string {
	if d == DayAfterNextWerktag {
		return "next-werktag"
	}
	return "calendar-day"
}

// Period is a Frist of N days of a Unit, with an End type and, for exclusive
// WT periods, the DayAfter reading. The zero DayAfter is the calendar-day
// reading.
type Period struct {
	N        int
	Unit     Unit
	End      End
	DayAfter DayAfter
}

// String formats the period, for example "7 WT exclusive (calendar-day)".
func (p Period) String() string {
	s := fmt.Sprintf("%d %s %s", p.N, p.Unit, p.End)
	if p.Unit == WT && p.End == Exclusive {
		s += " (" + p.DayAfter.String() + ")"
	}
	return s
}

// AddPeriod applies a Period to the receipt instant t under the GPKE counting
// rule (fristen.md §3.1): the receipt day r (the German local date of t) is
// not counted.
//
// For N ≥ 0 it returns the earliest event date:
//   - WT inclusive: the N-th Werktag after r (= AddWerktage);
//   - WT exclusive: the day after the N-th Werktag after r, per DayAfter;
//   - KT inclusive: r + N calendar days; KT exclusive: r + N + 1.
//
// For N < 0 it is the inverse, read as "the latest receipt date that still
// meets the event date e = r with a period of |N|": for WT the latest
// Werktag w with AddPeriod(w, +|N|) ≤ e, for KT the latest calendar day. So
// for a Werktag w, AddPeriod(AddPeriod(w, p), -p) == w, and for every
// Werktag w: AddPeriod(w, +p) ≤ e ⇔ w ≤ AddPeriod(e, -p).
//
// N = 0 with WT inclusive returns r itself. The result is 00:00
// Europe/Berlin.
func (c *Calendar) AddPeriod(t time.Time, p Period) time.Time {
	return c.start(c.period(c.localDay(t), p))
}

func (c *Calendar) period(r day, p Period) day {
	n := p.N
	if n >= 0 {
		switch {
		case p.Unit == KT && p.End == Inclusive:
			return r + day(n)
		case p.Unit == KT:
			return r + day(n) + 1
		case p.End == Inclusive:
			return c.addWT(r, n)
		case p.DayAfter == DayAfterNextWerktag:
			return c.nthAfter(c.addWT(r, n), 1)
		default:
			return c.addWT(r, n) + 1
		}
	}
	n = -n
	e := r
	switch {
	case p.Unit == KT && p.End == Inclusive:
		return e - day(n)
	case p.Unit == KT:
		return e - day(n) - 1
	case p.End == Inclusive:
		// latest WT w with nthAfter(w, n) ≤ e
		return c.nthBefore(c.atOrBefore(e), n)
	case p.DayAfter == DayAfterNextWerktag:
		// nextWT(nthAfter(w, n)) ≤ e ⇔ nthAfter(w, n) < atOrBefore(e)
		return c.nthBefore(c.nthBefore(c.atOrBefore(e), 1), n)
	default:
		// nthAfter(w, n) + 1 ≤ e ⇔ nthAfter(w, n) ≤ e - 1
		return c.nthBefore(c.atOrBefore(e-1), n)
	}
}

// atOrBefore is d if d is a Werktag, else the previous Werktag.
func (c *Calendar) atOrBefore(d day) day {
	if c.isWT(d) {
		return d
	}
	return c.nthBefore(d, 1)
}

// AddFristBDEWDatetimes reproduces add_frist of the Python library
// bdew-datetimes (fristen.md §3.4) for compatibility tests and migrations. It
// is one library's choice, not regulation: for N ≥ 0 it first moves to the
// next Werktag after the date of t (even for KT and N = 0); Inclusive reduces
// |N| by 1; Exclusive WT periods use the next-Werktag reading; for N < 0 it
// steps back |N|+1 Werktage (KT: N calendar days). p.DayAfter is ignored.
func (c *Calendar) AddFristBDEWDatetimes(t time.Time, p Period) time.Time {
	d := c.localDay(t)
	n := p.N
	if p.End == Inclusive {
		switch {
		case n > 0:
			n--
		case n < 0:
			n++
		}
	}
	if n >= 0 {
		d = c.nthAfter(d, 1)
	}
	switch {
	case p.Unit == KT:
		d += day(n)
	case n > 0:
		d = c.nthAfter(d, n)
	case n < 0:
		d = c.nthBefore(d, -n+1)
	}
	return c.start(d)
}
