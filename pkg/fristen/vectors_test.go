package fristen

import (
	"context"
	"errors"
	"testing"
	"time"
)

func rfc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("bad RFC 3339 %q: %v", s, err)
	}
	return v
}

// local parses "YYYY-MM-DD HH:MM" as German local time.
func local(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, Berlin())
	if err != nil {
		t.Fatalf("bad local time %q: %v", s, err)
	}
	return v
}

// fristen.md §11.1 W1–W4 and §11.5 E5.
func TestNextPreviousWerktag(t *testing.T) {
	c := cal(t)
	for _, tc := range []struct{ id, from, want string }{
		{"W1", "2023-01-01", "2023-01-02"},
		{"W2", "2023-01-05", "2023-01-09"},
		{"W3", "2023-01-20", "2023-01-23"},
	} {
		if got := ymd(c.NextWerktag(d(t, tc.from))); got != tc.want {
			t.Errorf("%s NextWerktag(%s) = %s, want %s", tc.id, tc.from, got, tc.want)
		}
	}
	for _, tc := range []struct{ id, from, want string }{
		{"W4", "2023-01-09", "2023-01-05"},
		{"E5", "2025-10-06", "2025-10-02"},
	} {
		if got := ymd(c.PreviousWerktag(d(t, tc.from))); got != tc.want {
			t.Errorf("%s PreviousWerktag(%s) = %s, want %s", tc.id, tc.from, got, tc.want)
		}
	}
}

// fristen.md §11.1 W5–W9 through the bdew-datetimes compatibility function.
func TestBDEWDatetimesAddFrist(t *testing.T) {
	c := cal(t)
	for _, tc := range []struct {
		id, start string
		p         Period
		want      string
	}{
		{"W5", "2023-01-02", Period{N: 0, Unit: KT, End: Exclusive}, "2023-01-03"},
		{"W6", "2023-01-01", Period{N: 1, Unit: KT, End: Exclusive}, "2023-01-03"},
		{"W7", "2023-01-01", Period{N: 1, Unit: WT, End: Exclusive}, "2023-01-03"},
		{"W8", "2016-07-12", Period{N: -6, Unit: WT, End: Inclusive}, "2016-07-04"},
		{"W9", "2016-07-04", Period{N: 10, Unit: WT, End: Exclusive}, "2016-07-19"},
		{"§3.2 bdew", "2016-07-06", Period{N: 7, Unit: WT, End: Exclusive}, "2016-07-18"},
	} {
		if got := ymd(c.AddFristBDEWDatetimes(d(t, tc.start), tc.p)); got != tc.want {
			t.Errorf("%s AddFristBDEWDatetimes(%s, %v) = %s, want %s", tc.id, tc.start, tc.p, got, tc.want)
		}
	}
}

// GPKE chapter 7 examples (fristen.md §3.1, §3.2) and the W vectors whose
// GPKE reading coincides, through AddPeriod.
func TestAddPeriodGPKE(t *testing.T) {
	c := cal(t)
	for _, tc := range []struct {
		id, start string
		p         Period
		want      string
	}{
		{"§3.1 GPKE 10 WT excl", "2016-07-04", Period{N: 10, Unit: WT, End: Exclusive}, "2016-07-19"},
		{"W9 next-WT reading", "2016-07-04", Period{N: 10, Unit: WT, End: Exclusive, DayAfter: DayAfterNextWerktag}, "2016-07-19"},
		{"W7", "2023-01-01", Period{N: 1, Unit: WT, End: Exclusive}, "2023-01-03"},
		{"W8 latest receipt", "2016-07-12", Period{N: -6, Unit: WT, End: Inclusive}, "2016-07-04"},
		{"§3.1 6 WT incl", "2025-06-02", Period{N: 6, Unit: WT, End: Inclusive}, "2025-06-12"},
		{"§3.1 7 WT excl calendar-day", "2025-06-02", Period{N: 7, Unit: WT, End: Exclusive}, "2025-06-14"},
		{"§3.1 7 WT excl next-WT", "2025-06-02", Period{N: 7, Unit: WT, End: Exclusive, DayAfter: DayAfterNextWerktag}, "2025-06-16"},
		{"§3.2 epilot", "2016-07-06", Period{N: 7, Unit: WT, End: Exclusive}, "2016-07-16"},
		{"§3.2 bdew", "2016-07-06", Period{N: 7, Unit: WT, End: Exclusive, DayAfter: DayAfterNextWerktag}, "2016-07-18"},
		{"KT incl", "2023-01-01", Period{N: 1, Unit: KT}, "2023-01-02"},
		{"KT excl", "2023-01-01", Period{N: 1, Unit: KT, End: Exclusive}, "2023-01-03"},
		{"KT negative", "2023-01-10", Period{N: -3, Unit: KT}, "2023-01-07"},
	} {
		if got := ymd(c.AddPeriod(d(t, tc.start), tc.p)); got != tc.want {
			t.Errorf("%s AddPeriod(%s, %v) = %s, want %s", tc.id, tc.start, tc.p, got, tc.want)
		}
	}
	// The 7th WT after 2025-06-02 is Fri 06-13 (06-06 and 06-09 skipped).
	if got := ymd(c.AddWerktage(d(t, "2025-06-02"), 7)); got != "2025-06-13" {
		t.Errorf("7th WT after 2025-06-02 = %s", got)
	}
	// GPKE: the 10-WT period after 2016-07-04 runs 07-05 … 07-18.
	if got := ymd(c.AddWerktage(d(t, "2016-07-04"), 10)); got != "2016-07-18" {
		t.Errorf("10th WT after 2016-07-04 = %s", got)
	}
	if got := c.WerktageBetween(d(t, "2016-07-04"), d(t, "2016-07-18")); got != 10 {
		t.Errorf("WerktageBetween = %d, want 10", got)
	}
}

// fristen.md §11.5 (epilot): the calendar day after the n-th WT, counted from
// the day after fromDate, and countWorkingDays.
func TestEpilotVectors(t *testing.T) {
	c := cal(t)
	for _, tc := range []struct {
		id, from string
		n        int
		want     string
	}{
		{"E1", "2025-10-01", 1, "2025-10-03"},
		{"E2", "2025-12-30", 2, "2026-01-06"},
		{"E3", "2025-10-01", 10, "2025-10-17"},
	} {
		got := ymd(c.AddPeriod(d(t, tc.from), Period{N: tc.n, Unit: WT, End: Exclusive, DayAfter: DayAfterCalendarDay}))
		if got != tc.want {
			t.Errorf("%s %s + %d WT exclusive = %s, want %s", tc.id, tc.from, tc.n, got, tc.want)
		}
	}
	if got := c.CountWerktage(d(t, "2025-12-22"), d(t, "2026-01-05")); got != 6 {
		t.Errorf("E4 CountWerktage = %d, want 6", got)
	}
}

// fristen.md §11.1 W10–W15 and §11.4 K1–K7, §6.1 LWT/3LWT examples.
func TestMonthDeadlines(t *testing.T) {
	c := cal(t)
	nth := func(y int, m time.Month, n int) string {
		v, err := c.NthWerktag(y, m, n)
		if err != nil {
			t.Fatal(err)
		}
		return ymd(v)
	}
	after := func(y int, m time.Month, n int) string {
		v, err := c.NthWerktagAfterMonth(y, m, n)
		if err != nil {
			t.Fatal(err)
		}
		return ymd(v)
	}
	lwt := func(y int, m time.Month) string {
		v, err := c.LastWerktag(y, m)
		if err != nil {
			t.Fatal(err)
		}
		return ymd(v)
	}
	nlwt := func(y int, m time.Month, n int) string {
		v, err := c.NthLastWerktag(y, m, n)
		if err != nil {
			t.Fatal(err)
		}
		return ymd(v)
	}
	for _, tc := range []struct{ id, got, want string }{
		{"W10", nth(2023, 1, 14), "2023-01-20"},
		{"W11", nth(2023, 11, 18), "2023-11-28"},
		{"W12", after(2023, 1, 21), "2023-03-01"},
		{"W13", after(2022, 12, 26), "2023-02-07"},
		{"W14", after(2023, 4, 30), "2023-06-15"},
		{"W15", after(2023, 7, 42), "2023-09-29"},
		{"K1", nth(2025, 1, 5), "2025-01-09"},
		{"K2", nth(2025, 6, 5), "2025-06-10"},
		{"K3 18WT", nth(2025, 6, 18), "2025-06-30"},
		{"K3 LWT", lwt(2025, 6), "2025-06-30"},
		{"K4", after(2025, 3, 42), "2025-06-04"},
		{"K5 5WT", nth(2025, 12, 5), "2025-12-05"},
		{"K5 18WT", nth(2025, 12, 18), "2025-12-29"},
		{"K5 LWT", lwt(2025, 12), "2025-12-30"},
		{"K6", after(2025, 10, 42), "2026-01-08"},
		{"K7", after(2022, 9, 42), "2022-12-05"},
		{"3LWT 2022-05", nlwt(2022, 5, 3), "2022-05-25"},
		{"3LWT 2022-10", nlwt(2022, 10, 3), "2022-10-26"},
		{"3LWT 2024-12", nlwt(2024, 12, 3), "2024-12-23"},
		{"LWT 2024-12", lwt(2024, 12), "2024-12-30"},
		{"LWT 2023-04", lwt(2023, 4), "2023-04-28"},
		{"LWT 2023-05", lwt(2023, 5), "2023-05-31"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %s, want %s", tc.id, tc.got, tc.want)
		}
	}
	if _, err := c.NthWerktag(2025, 1, 0); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("n=0: %v", err)
	}
	if _, err := c.NthLastWerktag(2025, 13, 3); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("month 13: %v", err)
	}
	if _, err := c.LastWerktag(2025, 0); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("month 0: %v", err)
	}
}

// fristen.md §5.4 (LFW24 vector table).
func TestLFW24(t *testing.T) {
	c := cal(t)
	for _, tc := range []struct{ ut, w, zb, due string }{
		{"2025-04-03", "2025-04-04", "2025-04-05", "2025-04-04T05:00:00Z"},
		{"2025-04-04", "2025-04-07", "2025-04-08", "2025-04-07T05:00:00Z"},
		{"2025-04-05", "2025-04-07", "2025-04-08", "2025-04-07T05:00:00Z"},
		{"2025-06-05", "2025-06-10", "2025-06-11", "2025-06-10T05:00:00Z"},
		{"2025-12-23", "2025-12-29", "2025-12-30", "2025-12-29T06:00:00Z"},
		{"2025-12-30", "2026-01-02", "2026-01-03", "2026-01-02T06:00:00Z"},
		{"2026-04-02", "2026-04-07", "2026-04-08", "2026-04-07T05:00:00Z"},
		{"2026-05-13", "2026-05-15", "2026-05-16", "2026-05-15T05:00:00Z"},
		{"2025-10-24", "2025-10-27", "2025-10-28", "2025-10-27T06:00:00Z"},
	} {
		// any instant on the ÜT gives the same result: 00:00, noon and 23:59 local
		for _, hm := range []string{"00:00", "12:00", "23:59"} {
			l := c.LFW24(local(t, tc.ut+" "+hm))
			if ymd(l.Uebertragungstag) != tc.ut || ymd(l.FirstWerktag) != tc.w || ymd(l.EarliestZuordnungsbeginn) != tc.zb ||
				!l.RequestDue.Equal(rfc(t, tc.due)) || l.RequestDue.Location() != Berlin() {
				t.Errorf("LFW24(%s %s) = %+v; want W %s, ZB %s, due %s", tc.ut, hm, l, tc.w, tc.zb, tc.due)
			}
			if !l.EarliestZuordnungsbeginn.Equal(StartOfDay(l.EarliestZuordnungsbeginn)) {
				t.Errorf("ZB not at 00:00: %v", l.EarliestZuordnungsbeginn)
			}
			if !l.Allows(l.EarliestZuordnungsbeginn) || l.Allows(l.EarliestZuordnungsbeginn.Add(-time.Second)) {
				t.Errorf("Allows wrong at the boundary for %s", tc.ut)
			}
		}
	}
	// Pfaffenhofen FAQ (§5.3): sent at 00:01 on 4 April 2025, 5 April can no longer be met.
	l := c.LFW24(local(t, "2025-04-04 00:01"))
	if l.Allows(d(t, "2025-04-05")) || !l.Allows(d(t, "2025-04-08")) {
		t.Errorf("FAQ case: %+v", l)
	}
}

// fristen.md §7.1 APERAK examples.
func TestAPERAKVectors(t *testing.T) {
	a, err := NewAPERAKClock(cal(t))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		received time.Time
		req      APERAKRequest
		wantUTC  string
		verified bool
	}{
		{"Tue UTILMD", local(t, "2025-06-03 10:00"), APERAKRequest{Sparte: Strom, MessageType: "UTILMD"}, "2025-06-03T08:45:00Z", true},
		{"Sun across DST start", rfc(t, "2025-03-30T01:50:00+01:00"), APERAKRequest{Sparte: Strom, MessageType: "UTILMD"}, "2025-03-30T01:35:00Z", false},
		{"Sat UTILMD 00:00", local(t, "2025-06-07 00:00"), APERAKRequest{Sparte: Strom, MessageType: "UTILMD"}, "2025-06-08T10:00:00Z", true},
		{"Sat UTILMD 23:59", local(t, "2025-06-07 23:59"), APERAKRequest{Sparte: Strom, MessageType: "UTILMD"}, "2025-06-08T10:00:00Z", true},
		{"Sat ORDERS", local(t, "2025-06-07 09:00"), APERAKRequest{Sparte: Strom, MessageType: "orders"}, "2025-06-08T10:00:00Z", true},
		{"Thu MSCONS", local(t, "2025-06-05 16:00"), APERAKRequest{Sparte: Strom, MessageType: "MSCONS"}, "2025-06-10T10:00:00Z", true},
		{"Gas Folgeprozess", local(t, "2025-12-23 09:00"), APERAKRequest{Sparte: Gas, MessageType: "UTILMD"}, "2025-12-29T11:00:00Z", true},
		{"Gas Initialprozess", local(t, "2025-10-27 09:00"), APERAKRequest{Sparte: Gas, MessageType: "UTILMD", Initial: true}, "2025-10-30T23:00:00Z", false},
		{"holiday UTILMD (literal)", local(t, "2025-06-06 10:00"), APERAKRequest{Sparte: Strom, MessageType: "UTILMD"}, "2025-06-06T08:45:00Z", false},
	} {
		tc.req.Received = tc.received
		got, err := a.Due(ctx, tc.req)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !got.Due.Equal(rfc(t, tc.wantUTC)) || got.Due.Location() != Berlin() {
			t.Errorf("%s: due %v, want %s", tc.name, got.Due, tc.wantUTC)
		}
		if got.Verified != tc.verified || got.Source == "" || got.Rule == "" {
			t.Errorf("%s: %+v, want verified=%v with rule and source", tc.name, got, tc.verified)
		}
	}
	// configured reading for Sunday/holiday receipt
	a2, err := NewAPERAKClock(nil, WithStromNonWerktagReceipt(NextDayNoon))
	if err != nil {
		t.Fatal(err)
	}
	got, err := a2.Due(ctx, APERAKRequest{Received: local(t, "2025-06-08 10:00"), Sparte: Strom, MessageType: "UTILMD"})
	if err != nil || !got.Due.Equal(rfc(t, "2025-06-09T10:00:00Z")) {
		t.Errorf("NextDayNoon: %+v %v", got, err)
	}
	// bad input
	for _, req := range []APERAKRequest{
		{Sparte: Strom, MessageType: "UTILMD"},
		{Received: local(t, "2025-06-03 10:00"), MessageType: "UTILMD"},
		{Received: local(t, "2025-06-03 10:00"), Sparte: Strom},
		{Received: local(t, "2025-06-03 10:00"), Sparte: Strom, MessageType: "UTILMD", Initial: true},
		{Received: local(t, "2025-06-03 10:00"), Sparte: Gas, MessageType: "aperak"},
		{Received: local(t, "2025-06-03 10:00"), Sparte: Strom, MessageType: "CONTRL"},
	} {
		if _, err := a.Due(ctx, req); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("Due(%+v) err = %v, want ErrInvalidArgument", req, err)
		}
	}
	if _, err := NewAPERAKClock(nil, WithAPERAKRules(APERAKRule{Name: "bad", Sparte: Strom})); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("invalid rule accepted: %v", err)
	}
	// A table without Gas rules: ErrNoRule.
	a3, err := NewAPERAKClock(nil, WithAPERAKRules(DefaultAPERAKRules()[:4]...))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a3.Due(ctx, APERAKRequest{Received: local(t, "2025-06-03 10:00"), Sparte: Gas, MessageType: "UTILMD"}); !errors.Is(err, ErrNoRule) {
		t.Errorf("want ErrNoRule, got %v", err)
	}
}

// edifact.md §7.4 / fristen.md §7.1: changeover windows.
func TestChangeoverWindow(t *testing.T) {
	a, _ := NewAPERAKClock(nil)
	for _, tc := range []struct {
		at       string
		ok       bool
		from, to string
	}{
		{"2026-03-31 17:59", false, "", ""},
		{"2026-03-31 18:00", true, "2026-03-31T16:00:00Z", "2026-04-01T22:00:00Z"},
		{"2026-04-01 23:59", true, "2026-03-31T16:00:00Z", "2026-04-01T22:00:00Z"},
		{"2026-04-02 00:00", false, "", ""},
		{"2025-09-30 18:00", true, "2025-09-30T16:00:00Z", "2025-10-01T22:00:00Z"},
		{"2025-10-02 00:00", false, "", ""},
		{"2025-06-05 18:30", true, "2025-06-05T16:00:00Z", "2025-06-06T22:00:00Z"},
		{"2025-06-07 00:00", false, "", ""},
		{"2025-06-05 17:59", false, "", ""},
	} {
		f, to, ok := a.ChangeoverWindow(local(t, tc.at))
		if ok != tc.ok || ok && (!f.Equal(rfc(t, tc.from)) || !to.Equal(rfc(t, tc.to))) {
			t.Errorf("ChangeoverWindow(%s) = %v %v %v, want %v %s %s", tc.at, f, to, ok, tc.ok, tc.from, tc.to)
		}
	}
	a2, err := NewAPERAKClock(nil, WithChangeoverDays())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := a2.ChangeoverWindow(local(t, "2025-06-06 10:00")); ok {
		t.Error("irregular days not replaced")
	}
	if _, _, ok := a2.ChangeoverWindow(local(t, "2025-04-01 10:00")); !ok {
		t.Error("1 April always a changeover day")
	}
	if _, err := NewAPERAKClock(nil, WithChangeoverDays(ChangeoverDay{2025, 2, 29})); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bad changeover day: %v", err)
	}
}

func TestContrlDefaults(t *testing.T) {
	c, err := NewContrlClock(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		at   string
		s    Sparte
		typ  string
		want time.Duration
	}{
		{"2025-06-03 10:00", Strom, "UTILMD", 15 * time.Minute},
		{"2025-06-07 10:00", Strom, "ORDERS", 6 * time.Hour},
		{"2025-06-03 10:00", Strom, "MSCONS", 6 * time.Hour},
		{"2025-06-03 10:00", Gas, "UTILMD", 6 * time.Hour},
		{"2025-10-26 01:00", Gas, "APERAK", 6 * time.Hour}, // across DST end: elapsed time
	} {
		rec := local(t, tc.at)
		got, err := c.Due(ctx, rec, tc.s, tc.typ)
		if err != nil || got.Due.Sub(rec) != tc.want || got.Verified {
			t.Errorf("CONTRL %v: %+v %v; want +%v, unverified", tc, got, err, tc.want)
		}
	}
	if _, err := c.Due(ctx, local(t, "2025-06-03 10:00"), Gas, "CONTRL"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("CONTRL on CONTRL: %v", err)
	}
	c2, err := NewContrlClock(nil, WithContrlRules(ContrlRule{Name: "1 WT", Spec: DueSpec{Kind: DueEndOfNthWerktag, N: 1}, Verified: true}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c2.Due(ctx, local(t, "2025-06-05 10:00"), Strom, "UTILMD")
	if err != nil || ymd(got.Due) != "2025-06-11" || !got.Verified {
		t.Errorf("custom CONTRL rule: %+v %v", got, err)
	}
}

func TestAnswerTable(t *testing.T) {
	ctx := context.Background()
	tab, err := NewAnswerTable(nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := local(t, "2025-06-05 10:00")
	for _, pid := range []string{"55001", "55077", "55004", "55010", "55016", "55022"} {
		r, ok := tab.Rule(pid)
		if !ok || len(r.Answers) == 0 || r.Source == "" {
			t.Errorf("%s missing from the table: %+v", pid, r)
		}
		_, err := tab.AnswerDue(ctx, pid, rec)
		var pe *PIDError
		if !errors.Is(err, ErrUnknownDeadline) || !errors.As(err, &pe) || pe.PID != pid {
			t.Errorf("AnswerDue(%s) err = %v, want ErrUnknownDeadline", pid, err)
		}
	}
	for _, pid := range []string{"55555", "13005", "", "x"} {
		if _, err := tab.AnswerDue(ctx, pid, rec); !errors.Is(err, ErrUnknownPID) {
			t.Errorf("AnswerDue(%q) err = %v, want ErrUnknownPID", pid, err)
		}
	}
	ds, err := tab.TriggeredDeadlines(ctx, "55001", local(t, "2025-06-05 23:30"))
	if err != nil || len(ds) != 1 || !ds[0].Due.Equal(rfc(t, "2025-06-10T05:00:00Z")) {
		t.Errorf("TriggeredDeadlines(55001) = %+v, %v", ds, err)
	}
	// a configured (verified elsewhere) deadline
	tab2, err := NewAnswerTable(nil, WithPIDRule(PIDRule{PID: "55016", Name: "Kündigung", Answers: []string{"55017", "55018"},
		Answer: &DueSpec{Kind: DueEndOfNthWerktag, N: 3}, Source: "test"}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tab2.AnswerDue(ctx, "55016", rec)
	if err != nil || !got.Due.Equal(d(t, "2025-06-13")) {
		t.Errorf("configured 55016: %+v %v", got, err)
	}
	if _, err := NewAnswerTable(nil, WithPIDRule(PIDRule{PID: "5501"})); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("bad PID accepted: %v", err)
	}
}
