package fristen

import (
	"fmt"
	"sync"
	"time"
)

// Default range of the precomputed table (the issue requires at least
// 2000–2100).
const (
	DefaultFromYear = 2000
	DefaultToYear   = 2100
)

// maxTableYears bounds the table so that a bad option cannot allocate without
// limit (400 years ≈ 146,000 days).
const maxTableYears = 400

// Calendar is the BDEW MaKo Werktag calendar (GPKE and GeLi Gas share it,
// fristen.md §2.1): a day is a Werktag if it is Monday–Friday, not a holiday in
// any German Land, not 24.12. or 31.12. and not a BDEW special day. A Calendar
// is immutable after New and safe for concurrent use.
type Calendar struct {
	special []SpecialDay

	fromYear, toYear int
	lo, hi           day // table covers [lo, hi)

	info  []uint8  // per day: wtBit | name index
	names []string // name index → name; names[0] = ""
	cum   []int32  // cum[i] = number of Werktage in [lo, lo+i)
	wts   []int32  // offsets (from lo) of all Werktage, ascending

	namesOverflow bool // some holiday names did not fit into info

	// Fast instant → local date conversion (see localDay).
	winterEpoch int64   // unix seconds of lo at 00:00 +01:00
	fastHi      int64   // unix seconds of hi at 00:00 +01:00
	yearStart   []int32 // offset of 1 January of fromYear+i; len = years+1
	dstStart    []int64 // unix seconds of the switch to +02:00 in year i
	dstEnd      []int64 // unix seconds of the switch back to +01:00
	yearFast    []bool  // year i follows the +01:00/+02:00 model exactly
	dst         []uint8 // per winter-local day: dstWinter, dstSummer, dstSwitch or dstSlow
}

// UTC offset state of a winter-local day (the day [00:00, 24:00) at +01:00).
const (
	dstWinter uint8 = iota // the whole day is at +01:00
	dstSummer              // the whole day is at +02:00
	dstSwitch              // an offset switch lies inside the day: compare with dstStart/dstEnd
	dstSlow                // the year does not follow the +01:00/+02:00 model: use the time package
)

const wtBit = 0x80

type config struct {
	special          []SpecialDay
	fromYear, toYear int
}

// Option configures a Calendar.
type Option func(*config) error

// WithSpecialDays replaces the BDEW one-off special days (default
// BDEWSpecialDays: 2025-06-06). Pass no days to get a calendar without them.
// Each day must be a valid date with a non-empty name.
func WithSpecialDays(days ...SpecialDay) Option {
	return func(c *config) error {
		for _, s := range days {
			if !validSpecialDay(s) {
				return fmt.Errorf("fristen: invalid special day %+v: %w", s, ErrInvalidArgument)
			}
		}
		c.special = append([]SpecialDay(nil), days...)
		return nil
	}
}

// WithTableRange sets the years [from, to] of the precomputed table (default
// 2000–2100, at most 400 years). Dates outside are still computed correctly,
// only more slowly.
func WithTableRange(from, to int) Option {
	return func(c *config) error {
		if from < 1 || to > 9999 || from > to || to-from+1 > maxTableYears {
			return fmt.Errorf("fristen: table range %d-%d: %w", from, to, ErrInvalidArgument)
		}
		c.fromYear, c.toYear = from, to
		return nil
	}
}

// New builds a BDEW calendar. Without options it holds the union holiday table
// of fristen.md §2.2, the BDEW special days of BDEWSpecialDays and a table for
// 2000–2100.
func New(opts ...Option) (*Calendar, error) {
	cfg := config{special: BDEWSpecialDays(), fromYear: DefaultFromYear, toYear: DefaultToYear}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	c := &Calendar{special: cfg.special, fromYear: cfg.fromYear, toYear: cfg.toYear}
	c.build()
	return c, nil
}

var defaultCalendar = sync.OnceValue(func() *Calendar {
	c, _ := New() // default options cannot fail
	return c
})

// Default returns the shared default BDEW calendar (New without options). It
// is built once on first use and immutable.
func Default() *Calendar { return defaultCalendar() }

func (c *Calendar) build() {
	c.lo = daysFromCivil(c.fromYear, time.January, 1)
	c.hi = daysFromCivil(c.toYear+1, time.January, 1)
	n := int(c.hi - c.lo)
	c.info = make([]uint8, n)
	c.cum = make([]int32, n+1)
	c.names = []string{""}
	nameIdx := map[string]uint8{"": 0}
	years := c.toYear - c.fromYear + 1
	c.yearStart = make([]int32, years+1)
	for i := 0; i <= years; i++ {
		c.yearStart[i] = int32(daysFromCivil(c.fromYear+i, time.January, 1) - c.lo)
	}
	holiday := make([]bool, n)
	for y := c.fromYear; y <= c.toYear; y++ {
		for d, name := range yearHolidays(y, c.special) {
			holiday[d-c.lo] = true
			idx, ok := nameIdx[name]
			if !ok && len(c.names) < wtBit {
				idx = uint8(len(c.names))
				c.names = append(c.names, name)
				nameIdx[name] = idx
				ok = true
			}
			if !ok {
				c.namesOverflow = true // more than 127 distinct names: names come from the slow path
			}
			c.info[d-c.lo] = idx
		}
	}
	for i := range n {
		if !holiday[i] && !isWeekend(c.lo+day(i)) {
			c.info[i] |= wtBit
			c.wts = append(c.wts, int32(i))
		}
		c.cum[i+1] = int32(len(c.wts))
	}
	c.buildDST()
}

// buildDST derives, per table year, the two UTC offset switches of
// Europe/Berlin from the tz database (not from a hard-coded EU rule) and
// checks that the year follows the +01:00 (winter) / +02:00 (summer) model;
// years that do not are served by the slow path.
func (c *Calendar) buildDST() {
	years := c.toYear - c.fromYear + 1
	c.dstStart = make([]int64, years)
	c.dstEnd = make([]int64, years)
	c.yearFast = make([]bool, years)
	c.winterEpoch = int64(c.lo)*86400 - 3600
	c.fastHi = int64(c.hi)*86400 - 3600
	off := func(u int64) int {
		_, o := time.Unix(u, 0).In(berlin).Zone()
		return o
	}
	for i := range years {
		y := c.fromYear + i
		// Winter-local year [1 Jan 00:00 +01:00, next 1 Jan 00:00 +01:00).
		a := int64(daysFromCivil(y, time.January, 1))*86400 - 3600
		b := int64(daysFromCivil(y+1, time.January, 1))*86400 - 3600
		mid := int64(daysFromCivil(y, time.July, 1)) * 86400
		if off(a) != 3600 || off(b-1) != 3600 || off(mid) != 7200 {
			continue
		}
		s := firstAtOrAfter(a, mid, func(u int64) bool { return off(u) == 7200 })
		e := firstAtOrAfter(mid, b, func(u int64) bool { return off(u) == 3600 })
		c.dstStart[i], c.dstEnd[i] = s, e
		// Exactly two switches: summer throughout [s, e), winter elsewhere.
		ok := true
		for _, u := range []int64{s, s + 86400, (s + e) / 2, e - 86400, e - 1} {
			if off(u) != 7200 {
				ok = false
			}
		}
		for _, u := range []int64{a, s - 1, e, (e + b) / 2, b - 1} {
			if off(u) != 3600 {
				ok = false
			}
		}
		c.yearFast[i] = ok
	}
	c.dst = make([]uint8, int(c.hi-c.lo))
	for o := range c.dst {
		y := c.yearIndex(int64(o))
		if !c.yearFast[y] {
			c.dst[o] = dstSlow
			continue
		}
		a := c.winterEpoch + int64(o)*86400
		b := a + 86400
		switch {
		case a >= c.dstStart[y] && b <= c.dstEnd[y]:
			c.dst[o] = dstSummer
		case b <= c.dstStart[y] || a >= c.dstEnd[y]:
			c.dst[o] = dstWinter
		default:
			c.dst[o] = dstSwitch
		}
	}
}

// firstAtOrAfter is the smallest u in (lo, hi] with pred(u), assuming pred is
// false at lo, true at hi and monotone in between.
func firstAtOrAfter(lo, hi int64, pred func(int64) bool) int64 {
	for hi-lo > 1 {
		m := lo + (hi-lo)/2
		if pred(m) {
			hi = m
		} else {
			lo = m
		}
	}
	return hi
}

// yearIndex is the table year containing table offset o (0 ≤ o < hi-lo).
func (c *Calendar) yearIndex(o int64) int {
	y := int(o * 400 / 146097)
	if y >= len(c.yearStart)-1 {
		y = len(c.yearStart) - 2
	}
	for y > 0 && int64(c.yearStart[y]) > o {
		y--
	}
	for y+1 < len(c.yearStart)-1 && int64(c.yearStart[y+1]) <= o {
		y++
	}
	return y
}

// localDay is the German local date of t: one table load on the fast path.
func (c *Calendar) localDay(t time.Time) day {
	u := t.Unix()
	w := u - c.winterEpoch
	if w < 0 || u >= c.fastHi {
		return localDaySlow(t)
	}
	o := w / 86400 // day offset under +01:00
	switch c.dst[o] {
	case dstSummer:
		o = (w + 3600) / 86400
	case dstSwitch:
		if y := c.yearIndex(o); u >= c.dstStart[y] && u < c.dstEnd[y] {
			o = (w + 3600) / 86400
		}
	case dstSlow:
		return localDaySlow(t)
	}
	return c.lo + day(o)
}

// start is 00:00 Europe/Berlin of d.
func (c *Calendar) start(d day) time.Time {
	if d < c.lo || d >= c.hi {
		return d.startSlow()
	}
	o := int64(d - c.lo)
	// Local midnight under +01:00 is the first second of winter-local day o;
	// German midnight never lies inside a switch hour (switches are at 01:00Z).
	u := c.winterEpoch + o*86400
	switch c.dst[o] {
	case dstSummer:
		u -= 3600
	case dstSwitch:
		if y := c.yearIndex(o); u >= c.dstStart[y] && u < c.dstEnd[y] {
			u -= 3600
		}
	case dstSlow:
		return d.startSlow()
	}
	return time.Unix(u, 0).In(berlin)
}

func (c *Calendar) inTable(d day) bool { return d >= c.lo && d < c.hi }

// isWT reports whether d is a Werktag.
func (c *Calendar) isWT(d day) bool {
	if c.inTable(d) {
		return c.info[d-c.lo]&wtBit != 0
	}
	return c.isWTSlow(d)
}

// isWTSlow evaluates the rules without the table.
func (c *Calendar) isWTSlow(d day) bool {
	return !isWeekend(d) && c.holidayNameSlow(d) == ""
}

func (c *Calendar) holidayNameSlow(d day) string {
	y, _, _ := d.civil()
	return yearHolidays(y, c.special)[d]
}

func (c *Calendar) holidayName(d day) string {
	if c.inTable(d) {
		if idx := c.info[d-c.lo] &^ wtBit; idx != 0 {
			return c.names[idx]
		}
		if !c.namesOverflow {
			return ""
		}
	}
	return c.holidayNameSlow(d)
}

// IsWerktag reports whether the German local date of t is a BDEW Werktag.
func (c *Calendar) IsWerktag(t time.Time) bool {
	return c.isWT(c.localDay(t))
}

// HolidayName returns the holiday name of the German local date of t and true,
// or "" and false if that date is no holiday (weekends are not holidays; a
// holiday on a weekend is still reported).
func (c *Calendar) HolidayName(t time.Time) (string, bool) {
	n := c.holidayName(c.localDay(t))
	return n, n != ""
}

// Holidays returns every holiday of year (weekends included), sorted by date.
func (c *Calendar) Holidays(year int) []Holiday {
	return sortedHolidays(yearHolidays(year, c.special), false)
}

// NonWorkingWeekdays returns the holidays of year that fall on Monday–Friday,
// sorted by date: exactly the weekdays that are not Werktage (fristen.md §2.4).
func (c *Calendar) NonWorkingWeekdays(year int) []Holiday {
	return sortedHolidays(yearHolidays(year, c.special), true)
}

// WerktageInYear returns the number of Werktage of year (fristen.md §2.5).
func (c *Calendar) WerktageInYear(year int) int {
	a := daysFromCivil(year, time.January, 1)
	b := daysFromCivil(year+1, time.January, 1)
	return c.countRange(a, b)
}

// countRange counts the Werktage in [a, b) (a ≤ b).
func (c *Calendar) countRange(a, b day) int {
	if a >= b {
		return 0
	}
	if c.inTable(a) && b <= c.hi {
		return int(c.cum[b-c.lo] - c.cum[a-c.lo])
	}
	n := 0
	for d := a; d < b; d++ {
		if c.isWT(d) {
			n++
		}
	}
	return n
}

// TableRange returns the years covered by the precomputed table.
func (c *Calendar) TableRange() (from, to int) { return c.fromYear, c.toYear }
