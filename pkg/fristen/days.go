package fristen

import "time"

// Sparte is the energy sector of a rule: Strom (electricity) or Gas.
type Sparte uint8

const (
	// Strom is electricity; its day starts at 00:00 German local time.
	Strom Sparte = iota + 1
	// Gas is natural gas; its day ("Gastag") starts at 06:00 German local time.
	Gas
)

// String returns "strom" or "gas" ("" for the zero value).
func (s Sparte) String() string {
	switch s {
	case Strom:
		return "strom"
	case Gas:
		return "gas"
	}
	return ""
}

// ParseSparte reads "strom" or "gas" (case-sensitive, as on the CLI).
func ParseSparte(s string) (Sparte, bool) {
	switch s {
	case "strom":
		return Strom, true
	case "gas":
		return Gas, true
	}
	return 0, false
}

// gastagHour is the start of a Gastag in German local time (fristen.md §4.1).
const gastagHour = 6

// StartOfDay returns 00:00 Europe/Berlin of the German local date of t. This
// is the start of the Stromtag containing t (fristen.md §4.1).
func StartOfDay(t time.Time) time.Time {
	return localDaySlow(t).startSlow()
}

// Stromtag returns the Stromtag containing t as [start, end): 00:00 to 00:00
// German local time, 23 hours on the day DST starts and 25 hours on the day
// it ends (fristen.md §4.2).
func Stromtag(t time.Time) (start, end time.Time) {
	d := localDaySlow(t)
	return d.startSlow(), (d + 1).startSlow()
}

// Gastag returns the Gastag containing t as [start, end): 06:00 to 06:00
// German local time. An instant before 06:00 local belongs to the Gastag of
// the previous date (fristen.md §8 item 4). The Gastag that starts on the day
// before a DST switch has 23 or 25 hours (§4.2).
func Gastag(t time.Time) (start, end time.Time) {
	d := localDaySlow(t)
	if t.Before(d.at(gastagHour, 0)) {
		d--
	}
	return d.at(gastagHour, 0), (d + 1).at(gastagHour, 0)
}

// DayOf returns the [start, end) of the day of the given Sparte containing t.
func DayOf(s Sparte, t time.Time) (start, end time.Time) {
	if s == Gas {
		return Gastag(t)
	}
	return Stromtag(t)
}

// IsStromtagLimit reports whether t is exactly 00:00 German local time, a
// boundary between two Stromtage (fristen.md §11.2).
func IsStromtagLimit(t time.Time) bool {
	return t.Equal(StartOfDay(t))
}

// IsGastagLimit reports whether t is exactly 06:00 German local time, a
// boundary between two Gastage (fristen.md §11.2).
func IsGastagLimit(t time.Time) bool {
	return t.Equal(localDaySlow(t).at(gastagHour, 0))
}

// GasToStrom converts a Gastag boundary (06:00 local) to the Stromtag
// boundary of the same German local date (00:00), as mako_time_converter's
// Convert6AamToMidnight (fristen.md §4.3, §11.3). It returns false if t is not
// a Gastag boundary.
func GasToStrom(t time.Time) (time.Time, bool) {
	if !IsGastagLimit(t) {
		return time.Time{}, false
	}
	return StartOfDay(t), true
}

// StromToGas converts a Stromtag boundary (00:00 local) to the Gastag boundary
// of the same German local date (06:00), as ConvertMidnightTo6Am (§11.3). It
// returns false if t is not a Stromtag boundary.
func StromToGas(t time.Time) (time.Time, bool) {
	if !IsStromtagLimit(t) {
		return time.Time{}, false
	}
	return localDaySlow(t).at(gastagHour, 0), true
}

// DayLength returns the length of the day of the given Sparte that starts on
// the German local date of t: 24 h, or 23/25 h around DST switches.
func DayLength(s Sparte, t time.Time) time.Duration {
	d := localDaySlow(t)
	h := 0
	if s == Gas {
		h = gastagHour
	}
	return (d + 1).at(h, 0).Sub(d.at(h, 0))
}

// AddDays adds n German local calendar days to t, keeping the local
// wall-clock time (go-local-days' AddLocalDays, fristen.md §11.6). A
// wall-clock time that does not exist on the target day (02:xx on the day DST
// starts) is normalised by time.Date. The result is in Europe/Berlin.
func AddDays(t time.Time, n int) time.Time {
	l := t.In(berlin)
	y, m, d := l.Date()
	return time.Date(y, m, d+n, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), berlin)
}

// AddHours adds h hours of elapsed time to t (the seed's add_hours for
// hour-based Fristen). It adds an absolute duration, never wall-clock fields,
// so across a DST switch the local clock moves by h±1 (fristen.md §4.3, §8
// item 3). The result is in Europe/Berlin.
func AddHours(t time.Time, h int) time.Time {
	return t.Add(time.Duration(h) * time.Hour).In(berlin)
}

// EndOfDay returns the end of the German local date of t, i.e. 00:00
// Europe/Berlin of the next date: how a date-granular Frist "by day D" is
// modelled (fristen.md §4.3, an inference the reference states as such).
func EndOfDay(t time.Time) time.Time {
	return (localDaySlow(t) + 1).startSlow()
}

// Date returns 00:00 Europe/Berlin of the given civil date, normalising
// out-of-range month and day values like time.Date.
func Date(year int, month time.Month, dayOfMonth int) time.Time {
	return time.Date(year, month, dayOfMonth, 0, 0, 0, 0, berlin)
}
