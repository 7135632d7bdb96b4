package fristen

import (
	"testing"
	"time"
)

// TestGeLiGasEarliestStart checks the lead time against the reference
// vector §11.5 E3 (2025-10-01, 10 WT → 2025-10-17, across the holiday of
// 2025-10-03), the Kündigung variant, the Gastag boundary of the receipt
// (05:30 local belongs to the previous Gastag), a DST night and Christmas.
func TestGeLiGasEarliestStart(t *testing.T) {
	g, err := NewGeLiGas(nil)
	if err != nil {
		t.Fatal(err)
	}
	b := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, Berlin()) }
	for _, c := range []struct {
		name       string
		received   time.Time
		kuendigung bool
		want       time.Time
	}{
		{"E3 fristen.md §11.5", b(2025, 10, 1, 10, 0), false, b(2025, 10, 17, 6, 0)},
		{"E3 with Kündigung, 13 WT", b(2025, 10, 1, 10, 0), true, b(2025, 10, 22, 6, 0)},
		{"05:30 belongs to the previous Gastag (2025-10-01)", b(2025, 10, 2, 5, 30), false, b(2025, 10, 17, 6, 0)},
		{"06:00 starts the Gastag 2025-10-02", b(2025, 10, 2, 6, 0), false, b(2025, 10, 18, 6, 0)},
		{"Christmas, New Year and 06.01. (union calendar)", b(2026, 12, 18, 9, 0), false, b(2027, 1, 9, 6, 0)},
		{"DST end night 2026-10-25", b(2026, 10, 23, 9, 0), false, b(2026, 11, 7, 6, 0)},
	} {
		got := g.EarliestStart(c.received, c.kuendigung)
		if !got.Equal(c.want) {
			t.Errorf("%s: EarliestStart = %s, want %s", c.name, got.In(Berlin()), c.want)
		}
		if !IsGastagLimit(got) {
			t.Errorf("%s: %s is no Gastag boundary", c.name, got)
		}
		if !g.AllowsStart(c.received, c.want, c.kuendigung) || g.AllowsStart(c.received, AddDays(c.want, -1), c.kuendigung) {
			t.Errorf("%s: AllowsStart does not match EarliestStart", c.name)
		}
	}
}

// TestGeLiGasOptions: the lead times and the LFA answer deadline are
// configurable, bad values are refused, and every rule names its source
// and is marked unverified.
func TestGeLiGasOptions(t *testing.T) {
	b := func(y int, m time.Month, d, hh int) time.Time { return time.Date(y, m, d, hh, 0, 0, 0, Berlin()) }
	g, err := NewGeLiGas(nil, WithGasLeadTimes(1, 2), WithGasLFAAnswer(2))
	if err != nil {
		t.Fatal(err)
	}
	// Fri 2026-11-13: 1 WT → Mon 16th, start Tue 17th 06:00.
	if got := g.EarliestStart(b(2026, 11, 13, 9), false); !got.Equal(b(2026, 11, 17, 6)) {
		t.Errorf("EarliestStart = %s", got)
	}
	// Sent Fri 2026-11-13: 2 WT → Tue 17th; due at its end (Wed 00:00).
	if got := g.LFAAnswerDue(b(2026, 11, 13, 9)); !got.Equal(b(2026, 11, 18, 0)) {
		t.Errorf("LFAAnswerDue = %s", got)
	}
	// Sent at 05:00 on Mon 16th: Gastag of Sun 15th → 2 WT → Tue 17th.
	if got := g.LFAAnswerDue(b(2026, 11, 16, 5)); !got.Equal(b(2026, 11, 18, 0)) {
		t.Errorf("LFAAnswerDue before 06:00 = %s", got)
	}
	for _, o := range []GeLiGasOption{WithGasLeadTimes(-1, 3), WithGasLFAAnswer(0)} {
		if _, err := NewGeLiGas(nil, o); err == nil {
			t.Error("bad option accepted")
		}
	}
	for _, r := range g.Rules() {
		if r.Source == "" || r.Verified {
			t.Errorf("rule %q: source %q verified %v", r.Name, r.Source, r.Verified)
		}
	}
	if d := GasDate(b(2026, 3, 29, 5)); !d.Equal(b(2026, 3, 28, 0)) { // DST start night: 05:00 CEST is before 06:00
		t.Errorf("GasDate = %s", d)
	}
}
