package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/fristen"
)

const fristenUsage = `usage: mako fristen <subcommand> [arguments]

BDEW Werktage and MaKo deadlines (German local time, Europe/Berlin).

subcommands:
  is-werktag DATE                      print true or false
  add DATE N [--kt] [--inclusive|--exclusive] [--next-werktag]
                                       apply an N-day period (GPKE counting: the day
                                       DATE is not counted); default WT, inclusive;
                                       --exclusive gives the calendar day after the
                                       N-th WT, --next-werktag the next WT instead;
                                       negative N: latest receipt date for event DATE
  nth-werktag YEAR-MONTH N             N-th Werktag of the month (the 1st counts)
  lwt YEAR-MONTH                       last Werktag of the month
  calendar YEAR                        non-working weekdays of YEAR: DATE NAME
  lfw24 UT-DATE                        earliest Zuordnungsbeginn and the E_0624
                                       07:00 request deadline for an Übertragungstag
  aperak --received RFC3339 --type TYPE --sparte strom|gas [--initial]
                                       APERAK due time (UTC and Berlin)

DATE is YYYY-MM-DD. Bad input: one-line error, exit status 2.
`

// errUsage marks input errors; runFristen prints them as one line and exits 2.
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

func usageErr(format string, a ...any) error { return errUsage{fmt.Sprintf(format, a...)} }

// runFristen is `mako fristen`: a thin wrapper around pkg/fristen.
func runFristen(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, fristenUsage)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, fristenUsage)
		return 0
	}
	cal := fristen.Default()
	var err error
	switch sub, rest := args[0], args[1:]; sub {
	case "is-werktag":
		err = fristenIsWerktag(cal, rest, stdout)
	case "add":
		err = fristenAdd(cal, rest, stdout)
	case "nth-werktag":
		err = fristenNth(cal, rest, stdout)
	case "lwt":
		err = fristenLWT(cal, rest, stdout)
	case "calendar":
		err = fristenCalendar(cal, rest, stdout)
	case "lfw24":
		err = fristenLFW24(cal, rest, stdout)
	case "aperak":
		err = fristenAPERAK(ctx, cal, rest, stdout)
	default:
		err = usageErr("unknown subcommand %q (see mako fristen --help)", sub)
	}
	if err != nil {
		fmt.Fprintf(stderr, "mako fristen: %s\n", oneLine(err.Error()))
		var u errUsage
		if errors.As(err, &u) || errors.Is(err, fristen.ErrInvalidArgument) {
			return 2
		}
		return 1
	}
	return 0
}

func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", " ") }

// splitArgs separates flags (known names, "-x" or "--x", values via "=" or the
// next argument) from positional arguments. A token that parses as an integer
// (such as -3) is positional.
func splitArgs(args []string, boolFlags, valueFlags []string) (pos []string, flags map[string]string, err error) {
	flags = map[string]string{}
	known := func(list []string, name string) bool {
		for _, n := range list {
			if n == name {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		if _, e := strconv.Atoi(a); e == nil {
			pos = append(pos, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		val, hasVal := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = k, v, true
		}
		if _, dup := flags[name]; dup {
			return nil, nil, usageErr("flag --%s given twice", name)
		}
		switch {
		case known(boolFlags, name):
			if hasVal {
				return nil, nil, usageErr("flag --%s takes no value", name)
			}
			flags[name] = "true"
		case known(valueFlags, name):
			if !hasVal {
				if i+1 >= len(args) {
					return nil, nil, usageErr("flag --%s needs a value", name)
				}
				i++
				val = args[i]
			}
			flags[name] = val
		default:
			return nil, nil, usageErr("unknown flag %q", a)
		}
	}
	return pos, flags, nil
}

func wantPositional(pos []string, n int, what string) error {
	if len(pos) != n {
		return usageErr("want %s, got %d argument(s)", what, len(pos))
	}
	return nil
}

func parseDate(s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, fristen.Berlin())
	if err != nil {
		return time.Time{}, usageErr("bad date %q (want YYYY-MM-DD)", s)
	}
	return t, nil
}

func parseYearMonth(s string) (int, time.Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return 0, 0, usageErr("bad month %q (want YYYY-MM)", s)
	}
	return t.Year(), t.Month(), nil
}

func parseInt(s, what string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, usageErr("bad %s %q (want an integer)", what, s)
	}
	return n, nil
}

func fmtDate(t time.Time) string { return t.In(fristen.Berlin()).Format(time.DateOnly) }

func fristenIsWerktag(cal *fristen.Calendar, args []string, out io.Writer) error {
	pos, _, err := splitArgs(args, nil, nil)
	if err != nil {
		return err
	}
	if err := wantPositional(pos, 1, "DATE"); err != nil {
		return err
	}
	t, err := parseDate(pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintln(out, cal.IsWerktag(t))
	return nil
}

// maxAddN bounds N so that bad input cannot make the CLI loop for long.
const maxAddN = 100000

func fristenAdd(cal *fristen.Calendar, args []string, out io.Writer) error {
	pos, fl, err := splitArgs(args, []string{"kt", "inclusive", "exclusive", "next-werktag"}, nil)
	if err != nil {
		return err
	}
	if err := wantPositional(pos, 2, "DATE N"); err != nil {
		return err
	}
	t, err := parseDate(pos[0])
	if err != nil {
		return err
	}
	n, err := parseInt(pos[1], "N")
	if err != nil {
		return err
	}
	if n > maxAddN || n < -maxAddN {
		return usageErr("N %d out of range ±%d", n, maxAddN)
	}
	p := fristen.Period{N: n, Unit: fristen.WT, End: fristen.Inclusive}
	if fl["kt"] != "" {
		p.Unit = fristen.KT
	}
	switch {
	case fl["inclusive"] != "" && fl["exclusive"] != "":
		return usageErr("--inclusive and --exclusive exclude each other")
	case fl["exclusive"] != "":
		p.End = fristen.Exclusive
	}
	if fl["next-werktag"] != "" {
		if p.End != fristen.Exclusive || p.Unit != fristen.WT {
			return usageErr("--next-werktag applies only to exclusive WT periods")
		}
		p.DayAfter = fristen.DayAfterNextWerktag
	}
	fmt.Fprintln(out, fmtDate(cal.AddPeriod(t, p)))
	return nil
}

func fristenNth(cal *fristen.Calendar, args []string, out io.Writer) error {
	pos, _, err := splitArgs(args, nil, nil)
	if err != nil {
		return err
	}
	if err := wantPositional(pos, 2, "YEAR-MONTH N"); err != nil {
		return err
	}
	y, m, err := parseYearMonth(pos[0])
	if err != nil {
		return err
	}
	n, err := parseInt(pos[1], "N")
	if err != nil {
		return err
	}
	if n < 1 || n > maxAddN {
		return usageErr("N %d out of range 1..%d", n, maxAddN)
	}
	t, err := cal.NthWerktag(y, m, n)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, fmtDate(t))
	return nil
}

func fristenLWT(cal *fristen.Calendar, args []string, out io.Writer) error {
	pos, _, err := splitArgs(args, nil, nil)
	if err != nil {
		return err
	}
	if err := wantPositional(pos, 1, "YEAR-MONTH"); err != nil {
		return err
	}
	y, m, err := parseYearMonth(pos[0])
	if err != nil {
		return err
	}
	t, err := cal.LastWerktag(y, m)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, fmtDate(t))
	return nil
}

func fristenCalendar(cal *fristen.Calendar, args []string, out io.Writer) error {
	pos, _, err := splitArgs(args, nil, nil)
	if err != nil {
		return err
	}
	if err := wantPositional(pos, 1, "YEAR"); err != nil {
		return err
	}
	y, err := parseInt(pos[0], "YEAR")
	if err != nil || y < 1 || y > 9999 || len(pos[0]) != 4 {
		return usageErr("bad year %q (want YYYY)", pos[0])
	}
	for _, h := range cal.NonWorkingWeekdays(y) {
		fmt.Fprintf(out, "%s %s\n", fmtDate(h.Date), h.Name)
	}
	return nil
}

func fristenLFW24(cal *fristen.Calendar, args []string, out io.Writer) error {
	pos, _, err := splitArgs(args, nil, nil)
	if err != nil {
		return err
	}
	if err := wantPositional(pos, 1, "UT-DATE"); err != nil {
		return err
	}
	t, err := parseDate(pos[0])
	if err != nil {
		return err
	}
	l := cal.LFW24(t)
	fmt.Fprintf(out, "earliest-zuordnungsbeginn %s\n", l.EarliestZuordnungsbeginn.Format(time.RFC3339))
	fmt.Fprintf(out, "request-due %s\n", l.RequestDue.Format(time.RFC3339))
	return nil
}

func fristenAPERAK(ctx context.Context, cal *fristen.Calendar, args []string, out io.Writer) error {
	pos, fl, err := splitArgs(args, []string{"initial"}, []string{"received", "type", "sparte"})
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("unexpected argument %q", pos[0])
	}
	for _, f := range []string{"received", "type", "sparte"} {
		if fl[f] == "" {
			return usageErr("--%s is required", f)
		}
	}
	rec, err := time.Parse(time.RFC3339, fl["received"])
	if err != nil {
		return usageErr("bad --received %q (want RFC 3339, e.g. 2025-06-03T10:00:00+02:00)", fl["received"])
	}
	sp, ok := fristen.ParseSparte(fl["sparte"])
	if !ok {
		return usageErr("bad --sparte %q (want strom or gas)", fl["sparte"])
	}
	typ := strings.ToUpper(fl["type"])
	for _, r := range typ {
		if r < 'A' || r > 'Z' {
			return usageErr("bad --type %q (want an EDIFACT message type such as UTILMD)", fl["type"])
		}
	}
	if fl["initial"] != "" && sp != fristen.Gas {
		return usageErr("--initial applies only to --sparte gas")
	}
	clock, err := fristen.NewAPERAKClock(cal)
	if err != nil {
		return err
	}
	d, err := clock.Due(ctx, fristen.APERAKRequest{Received: rec, Sparte: sp, MessageType: typ, Initial: fl["initial"] != ""})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "due-utc %s\n", d.Due.UTC().Format(time.RFC3339))
	fmt.Fprintf(out, "due-berlin %s\n", d.Due.In(fristen.Berlin()).Format(time.RFC3339))
	fmt.Fprintf(out, "rule %s\n", d.Rule)
	fmt.Fprintf(out, "verified %t\n", d.Verified)
	if d.Note != "" {
		fmt.Fprintf(out, "note %s\n", d.Note)
	}
	return nil
}
