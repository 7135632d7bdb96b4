package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runFristenCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"fristen"}, args...), strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

func TestFristenCLI(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"werktag", []string{"is-werktag", "2025-06-05"}, "true\n"},
		{"sonderfeiertag", []string{"is-werktag", "2025-06-06"}, "false\n"},
		{"augsburg", []string{"is-werktag", "2025-08-08"}, "true\n"},
		{"saturday", []string{"is-werktag", "2025-06-07"}, "false\n"},
		// fristen.md §3.1: receipt Mon 2025-06-02
		{"6 WT inclusive", []string{"add", "2025-06-02", "6"}, "2025-06-12\n"},
		{"6 WT --inclusive", []string{"add", "--inclusive", "2025-06-02", "6"}, "2025-06-12\n"},
		{"7 WT exclusive", []string{"add", "2025-06-02", "7", "--exclusive"}, "2025-06-14\n"},
		{"7 WT next-WT reading", []string{"add", "2025-06-02", "7", "--exclusive", "--next-werktag"}, "2025-06-16\n"},
		{"GPKE 10 WT", []string{"add", "2016-07-04", "10", "--exclusive"}, "2016-07-19\n"},
		{"W8 negative", []string{"add", "2016-07-12", "-6"}, "2016-07-04\n"},
		{"KT", []string{"add", "2023-01-01", "1", "--kt"}, "2023-01-02\n"},
		{"KT exclusive", []string{"add", "2023-01-01", "1", "--kt", "--exclusive"}, "2023-01-03\n"},
		{"KT negative", []string{"add", "2023-01-10", "-3", "--kt"}, "2023-01-07\n"},
		{"W10", []string{"nth-werktag", "2023-01", "14"}, "2023-01-20\n"},
		{"K2", []string{"nth-werktag", "2025-06", "5"}, "2025-06-10\n"},
		{"spill over", []string{"nth-werktag", "2025-04", "42"}, "2025-06-04\n"},
		{"K5 LWT", []string{"lwt", "2025-12"}, "2025-12-30\n"},
		{"LWT 2023-04", []string{"lwt", "2023-04"}, "2023-04-28\n"},
		{"calendar 2026", []string{"calendar", "2026"}, "2026-01-01 Neujahr\n2026-01-06 Heilige Drei Könige\n2026-04-03 Karfreitag\n" +
			"2026-04-06 Ostermontag\n2026-05-01 Tag der Arbeit\n2026-05-14 Christi Himmelfahrt\n2026-05-25 Pfingstmontag\n" +
			"2026-06-04 Fronleichnam\n2026-11-18 Buß- und Bettag\n2026-12-24 Heiligabend\n2026-12-25 1. Weihnachtstag\n2026-12-31 Silvester\n"},
		{"lfw24 FAQ", []string{"lfw24", "2025-04-03"}, "earliest-zuordnungsbeginn 2025-04-05T00:00:00+02:00\nrequest-due 2025-04-04T07:00:00+02:00\n"},
		{"lfw24 winter", []string{"lfw24", "2025-12-30"}, "earliest-zuordnungsbeginn 2026-01-03T00:00:00+01:00\nrequest-due 2026-01-02T07:00:00+01:00\n"},
		{"aperak utilmd", []string{"aperak", "--received", "2025-06-03T10:00:00+02:00", "--type", "UTILMD", "--sparte", "strom"},
			"due-utc 2025-06-03T08:45:00Z\ndue-berlin 2025-06-03T10:45:00+02:00\nrule Strom UTILMD/ORDERS: 45 minutes after receipt of the interchange\nverified true\n"},
		{"aperak saturday", []string{"aperak", "--received=2025-06-07T08:00:00Z", "--type=utilmd", "--sparte=strom"},
			"due-utc 2025-06-08T10:00:00Z\ndue-berlin 2025-06-08T12:00:00+02:00\nrule Strom UTILMD/ORDERS, received on a Saturday: Sunday 12:00 (any receipt time)\nverified true\n"},
	} {
		out, errOut, code := runFristenCLI(t, tc.args...)
		if code != 0 || out != tc.want || errOut != "" {
			t.Errorf("%s: mako fristen %v\n code %d, stderr %q\n got %q\nwant %q", tc.name, tc.args, code, errOut, out, tc.want)
		}
	}
}

// APERAK lines other than the rule text, for the remaining §7.1 examples.
func TestFristenCLIAperakDue(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		utc, de string
	}{
		{[]string{"--received", "2025-06-05T16:00:00+02:00", "--type", "MSCONS", "--sparte", "strom"}, "2025-06-10T10:00:00Z", "2025-06-10T12:00:00+02:00"},
		{[]string{"--received", "2025-12-23T09:00:00+01:00", "--type", "UTILMD", "--sparte", "gas"}, "2025-12-29T11:00:00Z", "2025-12-29T12:00:00+01:00"},
		{[]string{"--received", "2025-10-27T09:00:00+01:00", "--type", "UTILMD", "--sparte", "gas", "--initial"}, "2025-10-30T23:00:00Z", "2025-10-31T00:00:00+01:00"},
		{[]string{"--received", "2025-03-30T01:50:00+01:00", "--type", "UTILMD", "--sparte", "strom"}, "2025-03-30T01:35:00Z", "2025-03-30T03:35:00+02:00"},
	} {
		out, errOut, code := runFristenCLI(t, append([]string{"aperak"}, tc.args...)...)
		lines := strings.Split(out, "\n")
		if code != 0 || errOut != "" || len(lines) < 2 || lines[0] != "due-utc "+tc.utc || lines[1] != "due-berlin "+tc.de {
			t.Errorf("aperak %v: code %d stderr %q out %q; want %s / %s", tc.args, code, errOut, out, tc.utc, tc.de)
		}
	}
}

func TestFristenCLIBadInput(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nope"},
		{"is-werktag"},
		{"is-werktag", "2025-02-30"},
		{"is-werktag", "05.06.2025"},
		{"is-werktag", "2025-06-05", "extra"},
		{"add", "2025-06-02"},
		{"add", "2025-06-02", "x"},
		{"add", "2025-06-02", "3", "--bogus"},
		{"add", "2025-06-02", "3", "--inclusive", "--exclusive"},
		{"add", "2025-06-02", "3", "--next-werktag"},
		{"add", "2025-06-02", "99999999999"},
		{"nth-werktag", "2025-13", "3"},
		{"nth-werktag", "2025-06", "0"},
		{"nth-werktag", "2025-06"},
		{"lwt", "2025"},
		{"calendar", "twenty"},
		{"calendar", "0"},
		{"lfw24", "tomorrow"},
		{"aperak", "--type", "UTILMD", "--sparte", "strom"},
		{"aperak", "--received", "2025-06-03 10:00", "--type", "UTILMD", "--sparte", "strom"},
		{"aperak", "--received", "2025-06-03T10:00:00Z", "--type", "UTILMD", "--sparte", "wasser"},
		{"aperak", "--received", "2025-06-03T10:00:00Z", "--type", "UTILMD", "--sparte", "strom", "--initial"},
		{"aperak", "--received", "2025-06-03T10:00:00Z", "--type", "UTIL MD", "--sparte", "strom"},
		{"aperak", "--received", "2025-06-03T10:00:00Z", "--type", "UTILMD", "--sparte"},
		{"aperak", "--received", "2025-06-03T10:00:00Z", "--received", "2025-06-03T10:00:00Z", "--type", "UTILMD", "--sparte", "gas"},
	} {
		out, errOut, code := runFristenCLI(t, args...)
		if code != 2 || out != "" || errOut == "" {
			t.Errorf("mako fristen %q: code %d, stdout %q, stderr %q; want exit 2 with an error", args, code, out, errOut)
			continue
		}
		if len(args) > 0 && strings.Count(strings.TrimRight(errOut, "\n"), "\n") != 0 {
			t.Errorf("mako fristen %q: error is not one line: %q", args, errOut)
		}
	}
	if out, _, code := runFristenCLI(t, "--help"); code != 0 || !strings.Contains(out, "is-werktag") {
		t.Errorf("--help: %d %q", code, out)
	}
}
