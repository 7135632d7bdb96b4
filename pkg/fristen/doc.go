// Package fristen computes the deadlines ("Fristen") of German energy market
// communication (MaKo): the BDEW Werktag calendar, n-Werktage periods under the
// GPKE counting rule, month-based MaBiS/KoV dates (n-th Werktag, LWT, 3LWT),
// Strom and Gas days in German local time, and the deadline clocks for APERAK,
// CONTRL, the 24-hour supplier switch (LFW24) and per-PID answer deadlines.
//
// # Sources
//
// All facts come from the project's Fristen reference (cited as "fristen.md
// §x") and its EDIFACT reference (edifact.md §7.4, §9.1, §10, §11.2). Every table of
// domain data in this package names the section it was taken from. Where the
// reference marks a point as unverified or open, the package implements the
// documented choice, makes it configurable and says so in the doc comment.
//
// # Time model
//
// Every function takes instants (time.Time in any location) and returns
// instants in Europe/Berlin, loaded from the embedded tz database (time/tzdata)
// so that minimal hosts without zoneinfo work. A date-granular result ("day D")
// is returned as the start of the German local day D, 00:00 Europe/Berlin. The
// date of an instant is always its German local date, never the date of its
// own location (fristen.md §3.3, §8 pitfall 2). Day arithmetic is done on civil
// dates, never by adding 24 hours; durations are added to absolute instants
// (fristen.md §4.3).
//
// # Calendar
//
// A [Calendar] is an immutable value built by [New] with functional options.
// It precomputes a day table (Werktag flag, holiday name) and the DST switch
// instants for a range of years (default 2000–2100) so that
// [Calendar.IsWerktag] is a few table lookups; dates outside the range are
// computed from the same rules on a slower path with identical results.
// [Default] returns a shared default BDEW calendar (immutable, built once).
//
// # Counting Werktage (GPKE, fristen.md §3)
//
// The receipt day is never counted. [Calendar.AddWerktage] (t, n) returns the
// n-th Werktag strictly after the German local date of t: that is the
// earliest date of an end-of-day event ("inclusive end"). For start-of-day
// events ("exclusive end") use [Calendar.AddPeriod] with [Exclusive]; the
// "day after the n-th Werktag" is the next calendar day by default
// ([DayAfterCalendarDay], the reading LFW24 needs), and the bdew-datetimes
// reading ([DayAfterNextWerktag]) is available by name.
package fristen
