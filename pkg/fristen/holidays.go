package fristen

import (
	"sort"
	"strings"
	"time"
)

// Easter returns Easter Sunday of the given Gregorian year (00:00
// Europe/Berlin), computed with the Anonymous Gregorian algorithm
// (Meeus/Jones/Butcher) as given in fristen.md §2.3. It is valid for every
// Gregorian year; for years < 1583 the result is the proleptic Gregorian date.
func Easter(year int) time.Time {
	return easterDay(year).startSlow()
}

func easterDay(y int) day {
	m, d := easterMonthDay(y)
	return daysFromCivil(y, m, d)
}

// easterMonthDay is fristen.md §2.3, steps 1–4, with integer division and
// non-negative remainders.
func easterMonthDay(y int) (time.Month, int) {
	a := y % 19
	b := y / 100
	c := y % 100
	d := b / 4
	e := b % 4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := mod(19*a+b-d-g+15, 30)
	i := c / 4
	k := c % 4
	l := mod(32+2*e+2*i-h-k, 7)
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	dd := mod(h+l-7*m+114, 31) + 1
	return time.Month(month), dd
}

func mod(a, b int) int {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}

// ruleKind says how a holiday rule finds its date in a year.
type ruleKind uint8

const (
	fixedDate     ruleKind = iota // month/day every year
	easterOffset                  // Easter Sunday + offset days
	bussUndBettag                 // Wednesday before 23 November
	oneOff                        // one specific date (year, month, day)
)

// holidayRule is one row of the union holiday table.
type holidayRule struct {
	name   string
	kind   ruleKind
	month  time.Month
	day    int
	offset int // easterOffset only
	year   int // oneOff only
	from   int // first year the rule applies (0: unbounded)
}

// unionHolidays is the union of the statutory holidays of all 16 Länder plus
// the BDEW rule for 24.12./31.12., as the BDEW "GPKE-GeLiGas-Feiertagskalender"
// requires (a holiday in one Land counts nationwide). Source: fristen.md §2.1
// (definition) and the table in §2.2 (dates, year ranges, one-offs). Germany
// has no substitute holidays (§2.1). City-level holidays such as the
// Augsburger Friedensfest (08-08) are deliberately absent (§2.1, §8 item 8).
// Ostersonntag and Pfingstsonntag (BB) always fall on a Sunday and are omitted
// as irrelevant (§2.2). BDEW one-off special days are not here: they are
// options of the Calendar, see BDEWSpecialDays.
var unionHolidays = []holidayRule{
	{name: "Neujahr", kind: fixedDate, month: time.January, day: 1},
	{name: "Heilige Drei Könige", kind: fixedDate, month: time.January, day: 6},                 // BW, BY, ST
	{name: "Internationaler Frauentag", kind: fixedDate, month: time.March, day: 8, from: 2019}, // BE from 2019, MV from 2023
	{name: "Karfreitag", kind: easterOffset, offset: -2},
	{name: "Ostermontag", kind: easterOffset, offset: 1},
	{name: "Tag der Arbeit", kind: fixedDate, month: time.May, day: 1},
	{name: "Christi Himmelfahrt", kind: easterOffset, offset: 39},
	{name: "Pfingstmontag", kind: easterOffset, offset: 50},
	{name: "Fronleichnam", kind: easterOffset, offset: 60},                               // BW, BY, HE, NW, RP, SL
	{name: "Mariä Himmelfahrt", kind: fixedDate, month: time.August, day: 15},            // SL (whole Land)
	{name: "Weltkindertag", kind: fixedDate, month: time.September, day: 20, from: 2019}, // TH from 2019
	{name: "Tag der Deutschen Einheit", kind: fixedDate, month: time.October, day: 3},
	{name: "Reformationstag", kind: fixedDate, month: time.October, day: 31}, // BB, MV, SN, ST, TH (every year)
	{name: "Allerheiligen", kind: fixedDate, month: time.November, day: 1},   // BW, BY, NW, RP, SL
	{name: "Buß- und Bettag", kind: bussUndBettag},                           // SN
	{name: "Heiligabend", kind: fixedDate, month: time.December, day: 24},    // BDEW rule
	{name: "1. Weihnachtstag", kind: fixedDate, month: time.December, day: 25},
	{name: "2. Weihnachtstag", kind: fixedDate, month: time.December, day: 26},
	{name: "Silvester", kind: fixedDate, month: time.December, day: 31},            // BDEW rule
	{name: "Tag der Befreiung", kind: oneOff, year: 2020, month: time.May, day: 8}, // BE one-off
	{name: "Tag der Befreiung", kind: oneOff, year: 2025, month: time.May, day: 8}, // BE one-off
}

// SpecialDay is a one-off non-working day declared by the BDEW for the energy
// market (a "Sonderfeiertag"), counted nationwide.
type SpecialDay struct {
	Year  int
	Month time.Month
	Day   int
	Name  string
}

// BDEWSpecialDays returns the BDEW one-off special days known to the
// reference: only 2025-06-06, the coordinated LFW24 start (fristen.md §2.2;
// bdew-datetimes moved it there from 2025-04-04, §8 item 7). The reference
// says to treat this list as data that can change (§2.2, §10 item 4): pass an
// updated list with WithSpecialDays. The returned slice is a fresh copy.
func BDEWSpecialDays() []SpecialDay {
	return []SpecialDay{{Year: 2025, Month: time.June, Day: 6, Name: "Sonderfeiertag LFW24"}}
}

// date returns the day of rule r in year y, and false if r does not apply.
func (r holidayRule) date(y int) (day, bool) {
	if r.from != 0 && y < r.from {
		return 0, false
	}
	switch r.kind {
	case fixedDate:
		return daysFromCivil(y, r.month, r.day), true
	case easterOffset:
		return easterDay(y) + day(r.offset), true
	case bussUndBettag:
		// Wednesday between 16 and 22 November = the Wednesday before 23 November.
		d23 := daysFromCivil(y, time.November, 23)
		back := (int(d23.weekday()) - int(time.Wednesday) + 7) % 7
		if back == 0 {
			back = 7
		}
		return d23 - day(back), true
	case oneOff:
		if y != r.year {
			return 0, false
		}
		return daysFromCivil(y, r.month, r.day), true
	}
	return 0, false
}

// yearHolidays returns every non-working holiday of year y (weekends
// included) as day → name; several holidays on one day are joined with " / "
// in table order.
func yearHolidays(y int, special []SpecialDay) map[day]string {
	out := make(map[day]string, 24)
	add := func(d day, name string) {
		if prev, ok := out[d]; ok {
			out[d] = prev + " / " + name
			return
		}
		out[d] = name
	}
	for _, r := range unionHolidays {
		if d, ok := r.date(y); ok {
			add(d, r.name)
		}
	}
	for _, s := range special {
		if s.Year == y {
			add(daysFromCivil(s.Year, s.Month, s.Day), s.Name)
		}
	}
	return out
}

// Holiday is a named non-working day of the calendar.
type Holiday struct {
	// Date is 00:00 Europe/Berlin of the holiday.
	Date time.Time
	// Name is the German name; several holidays on the same date are joined
	// with " / ".
	Name string
}

func sortedHolidays(m map[day]string, weekdaysOnly bool) []Holiday {
	days := make([]day, 0, len(m))
	for d := range m {
		if weekdaysOnly && isWeekend(d) {
			continue
		}
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	out := make([]Holiday, len(days))
	for i, d := range days {
		out[i] = Holiday{Date: d.startSlow(), Name: m[d]}
	}
	return out
}

func validSpecialDay(s SpecialDay) bool {
	if s.Month < time.January || s.Month > time.December || s.Day < 1 || strings.TrimSpace(s.Name) == "" {
		return false
	}
	y, m, d := daysFromCivil(s.Year, s.Month, s.Day).civil()
	return y == s.Year && m == s.Month && d == s.Day
}
