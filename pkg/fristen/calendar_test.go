package fristen

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func cal(t testing.TB) *Calendar {
	t.Helper()
	return Default()
}

// d parses YYYY-MM-DD to 00:00 Europe/Berlin.
func d(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation(time.DateOnly, s, Berlin())
	if err != nil {
		t.Fatalf("bad date %q: %v", s, err)
	}
	return v
}

func ymd(t time.Time) string { return t.In(Berlin()).Format(time.DateOnly) }

// fristen.md §2.3 check values.
func TestEaster(t *testing.T) {
	for y, want := range map[int]string{
		2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28",
		2028: "2028-04-16", 2029: "2029-04-01", 2030: "2030-04-21",
		// further well-known dates
		2000: "2000-04-23", 2008: "2008-03-23", 2038: "2038-04-25", 2100: "2100-03-28", 2285: "2285-03-22",
	} {
		if got := ymd(Easter(y)); got != want {
			t.Errorf("Easter(%d) = %s, want %s", y, got, want)
		}
	}
}

// fristen.md §2.5: Werktage per year.
func TestWerktagePerYear(t *testing.T) {
	want := map[int]int{2016: 248, 2017: 246, 2018: 245, 2019: 243, 2020: 249, 2021: 248, 2022: 246,
		2023: 244, 2024: 244, 2025: 243, 2026: 249, 2027: 248, 2028: 244, 2029: 243, 2030: 243}
	c := cal(t)
	for y := 2016; y <= 2030; y++ {
		if got := c.WerktageInYear(y); got != want[y] {
			t.Errorf("WerktageInYear(%d) = %d, want %d", y, got, want[y])
		}
		// independent count by stepping day by day with IsWerktag on instants
		n := 0
		for x := d(t, fmt.Sprintf("%d-01-01", y)); x.Year() == y; x = x.AddDate(0, 0, 1) {
			if c.IsWerktag(x) {
				n++
			}
		}
		if n != want[y] {
			t.Errorf("stepping %d: %d Werktage, want %d", y, n, want[y])
		}
	}
}

// fristen.md §2.4: weekday non-working days per year.
func TestNonWorkingWeekdays(t *testing.T) {
	want := map[int]string{
		2024: "01-01, 03-08, 03-29, 04-01, 05-01, 05-09, 05-20, 05-30, 08-15, 09-20, 10-03, 10-31, 11-01, 11-20, 12-24, 12-25, 12-26, 12-31",
		2025: "01-01, 01-06, 04-18, 04-21, 05-01, 05-08, 05-29, 06-06, 06-09, 06-19, 08-15, 10-03, 10-31, 11-19, 12-24, 12-25, 12-26, 12-31",
		2026: "01-01, 01-06, 04-03, 04-06, 05-01, 05-14, 05-25, 06-04, 11-18, 12-24, 12-25, 12-31",
		2027: "01-01, 01-06, 03-08, 03-26, 03-29, 05-06, 05-17, 05-27, 09-20, 11-01, 11-17, 12-24, 12-31",
	}
	c := cal(t)
	for y, w := range want {
		var got []string
		for _, h := range c.NonWorkingWeekdays(y) {
			got = append(got, h.Date.Format("01-02"))
			if h.Name == "" {
				t.Errorf("%s has no name", ymd(h.Date))
			}
		}
		if g := strings.Join(got, ", "); g != w {
			t.Errorf("NonWorkingWeekdays(%d)\n got %s\nwant %s", y, g, w)
		}
	}
}

// fristen.md §11.1 W16 and the year ranges of §2.2.
func TestHolidayRules(t *testing.T) {
	c := cal(t)
	for _, tc := range []struct {
		date    string
		holiday bool
		name    string
	}{
		{"2024-11-20", true, "Buß- und Bettag"},                      // W16
		{"2025-06-06", true, "Sonderfeiertag LFW24"},                 // W16
		{"2025-08-08", false, ""},                                    // W16: Augsburger Friedensfest is excluded
		{"2018-03-08", false, ""},                                    // Frauentag only from 2019
		{"2019-03-08", true, "Internationaler Frauentag"},            //
		{"2018-09-20", false, ""},                                    // Weltkindertag only from 2019
		{"2019-09-20", true, "Weltkindertag"},                        //
		{"2020-05-08", true, "Tag der Befreiung"},                    // BE one-off
		{"2025-05-08", true, "Tag der Befreiung"},                    // BE one-off
		{"2021-05-08", false, ""},                                    // not recurring
		{"2025-04-04", false, ""},                                    // the superseded Sonderfeiertag date (§8 item 7)
		{"2017-10-31", true, "Reformationstag"},                      //
		{"2012-10-31", true, "Reformationstag"},                      // every year in the union
		{"2025-08-15", true, "Mariä Himmelfahrt"},                    //
		{"2025-12-24", true, "Heiligabend"},                          //
		{"2025-12-31", true, "Silvester"},                            //
		{"2026-06-04", true, "Fronleichnam"},                         //
		{"2008-05-01", true, "Tag der Arbeit / Christi Himmelfahrt"}, // two holidays, one day
		{"2025-03-30", false, ""},                                    // Sunday, not a holiday
	} {
		name, ok := c.HolidayName(d(t, tc.date))
		if ok != tc.holiday || name != tc.name {
			t.Errorf("HolidayName(%s) = %q, %v; want %q, %v", tc.date, name, ok, tc.name, tc.holiday)
		}
		if tc.holiday && c.IsWerktag(d(t, tc.date)) {
			t.Errorf("IsWerktag(%s) = true on a holiday", tc.date)
		}
	}
	if !c.IsWerktag(d(t, "2025-08-08")) {
		t.Error("2025-08-08 (Augsburg only) must be a Werktag")
	}
	for _, s := range []string{"2025-06-07", "2025-06-08"} {
		if c.IsWerktag(d(t, s)) {
			t.Errorf("%s (weekend) is a Werktag", s)
		}
	}
}

// The German local date decides (fristen.md §3.3, §8 item 2).
func TestIsWerktagUsesGermanDate(t *testing.T) {
	c := cal(t)
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		at   string
		want bool
	}{
		{"2025-12-23T22:59:59Z", true},       // 23:59:59 on Tue 12-23
		{"2025-12-23T23:00:00Z", false},      // 00:00 on 12-24
		{"2025-12-23T23:30:00Z", false},      // §3.3 example: 12-24 00:30
		{"2025-06-05T21:59:59Z", true},       // Thu 23:59:59 CEST
		{"2025-06-05T22:00:00Z", false},      // Fri 06-06 00:00 CEST (Sonderfeiertag)
		{"2025-06-05T20:00:00-07:00", false}, // own date Thu 06-05, German date Fri 06-06 05:00 (Sonderfeiertag)
		{"2025-06-09T17:00:00-07:00", true},  // own date Mon 06-09 (Pfingstmontag), German date Tue 06-10 02:00
	} {
		if got := c.IsWerktag(utc(tc.at)); got != tc.want {
			t.Errorf("IsWerktag(%s) = %v, want %v", tc.at, got, tc.want)
		}
	}
}

func TestOptions(t *testing.T) {
	c, err := New(WithSpecialDays())
	if err != nil {
		t.Fatal(err)
	}
	if !c.IsWerktag(d(t, "2025-06-06")) {
		t.Error("without special days 2025-06-06 is a Werktag")
	}
	if c.WerktageInYear(2025) != 244 {
		t.Errorf("2025 without Sonderfeiertag: %d, want 244", c.WerktageInYear(2025))
	}
	c2, err := New(WithSpecialDays(SpecialDay{Year: 2031, Month: time.March, Day: 3, Name: "Test"}), WithTableRange(2020, 2040))
	if err != nil {
		t.Fatal(err)
	}
	if c2.IsWerktag(d(t, "2031-03-03")) {
		t.Error("custom special day not applied")
	}
	if name, _ := c2.HolidayName(d(t, "2031-03-03")); name != "Test" {
		t.Errorf("custom special day name %q", name)
	}
	if !c2.IsWerktag(d(t, "2025-06-06")) {
		t.Error("replaced special days must drop 2025-06-06")
	}
	for _, o := range []Option{
		WithSpecialDays(SpecialDay{Year: 2025, Month: 2, Day: 30, Name: "x"}),
		WithSpecialDays(SpecialDay{Year: 2025, Month: 2, Day: 3}),
		WithTableRange(2100, 2000),
		WithTableRange(0, 10),
		WithTableRange(1000, 3000),
	} {
		if _, err := New(o); err == nil {
			t.Error("bad option accepted")
		}
	}
}
