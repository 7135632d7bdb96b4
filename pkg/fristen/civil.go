package fristen

import (
	"time"
	_ "time/tzdata" // embedded tz database: Europe/Berlin must not depend on the host (fristen.md §4.3)
)

// berlin is Europe/Berlin from the embedded tz database. It is set once during
// package initialisation and never modified.
var berlin = loadBerlin()

func loadBerlin() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		// Unreachable: time/tzdata is linked in, so LoadLocation always finds
		// the zone. A broken ZONEINFO override would land here; fail loudly at
		// start-up rather than compute deadlines in the wrong zone.
		panic("fristen: cannot load Europe/Berlin: " + err.Error())
	}
	return loc
}

// Berlin returns the Europe/Berlin location used for every result of this
// package (loaded from the embedded tz database).
func Berlin() *time.Location { return berlin }

// day is a civil date as the number of days since 1970-01-01 in the proleptic
// Gregorian calendar.
type day int64

// daysFromCivil converts a civil date to a day number (H. Hinnant's algorithm).
// Out-of-range month/day values are not normalised; callers pass valid dates.
func daysFromCivil(y int, m time.Month, d int) day {
	yy := int64(y)
	mm := int64(m)
	if mm <= 2 {
		yy--
	}
	era := yy
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := yy - era*400
	mp := (mm + 9) % 12
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return day(era*146097 + doe - 719468)
}

// civil converts a day number back to year, month and day of month.
func (d day) civil() (int, time.Month, int) {
	z := int64(d) + 719468
	era := z
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), time.Month(m), int(dd)
}

// weekday of a day number; 1970-01-01 was a Thursday.
func (d day) weekday() time.Weekday {
	w := (int64(d) + 4) % 7
	if w < 0 {
		w += 7
	}
	return time.Weekday(w)
}

// String formats the day as YYYY-MM-DD (for errors and tests).
func (d day) String() string {
	y, m, dd := d.civil()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// localDaySlow is the German local date of t via the time package.
func localDaySlow(t time.Time) day {
	y, m, d := t.In(berlin).Date()
	return daysFromCivil(y, m, d)
}

// startSlow is 00:00 Europe/Berlin of d via the time package.
func (d day) startSlow() time.Time {
	y, m, dd := d.civil()
	return time.Date(y, m, dd, 0, 0, 0, 0, berlin)
}

// at returns the wall-clock time hh:mm of German local day d. For a wall-clock
// time that does not exist or is ambiguous on a DST day, time.Date's
// normalisation applies; the clock times used by this package (00:00, 06:00,
// 07:00, 12:00, 18:00) exist exactly once every day (fristen.md §4.1).
func (d day) at(hh, mm int) time.Time {
	y, m, dd := d.civil()
	return time.Date(y, m, dd, hh, mm, 0, 0, berlin)
}

func isWeekend(d day) bool {
	w := d.weekday()
	return w == time.Saturday || w == time.Sunday
}
