package fv

import (
	"testing"
	"time"
	_ "time/tzdata"
)

func TestParseStyles(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		err  bool
	}{
		{"FV2604", "FV2604", false},
		{"FV2026-04-01", "FV2604", false},
		{"FV2025-10-01", "FV2510", false},
		{"FV2605", "", true},
		{"2604", "", true},
		{"FV26a4", "", true},
		{"FV2026-13-01", "", true},
		{"", "", true},
	} {
		v, err := Parse(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("Parse(%q) = %v, want error", tc.in, v)
			}
			continue
		}
		if err != nil || v.String() != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %s", tc.in, v, err, tc.want)
		}
	}
}

func TestOrder(t *testing.T) {
	ks := KeyDates()
	for i := 1; i < len(ks); i++ {
		if !ks[i-1].Version.Before(ks[i].Version) || !ks[i].Version.After(ks[i-1].Version) {
			t.Fatalf("%v not before %v", ks[i-1].Version, ks[i].Version)
		}
		if ks[i-1].ValidFrom >= ks[i].ValidFrom {
			t.Fatalf("key dates not increasing at %v", ks[i].Version)
		}
	}
	if MustParse("FV2604").Compare(MustParse("FV2026-04-01")) != 0 {
		t.Fatal("styles compare unequal")
	}
}

func TestResolve(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		// German local midnight: 2026-03-31 23:59 local is still FV2510.
		{time.Date(2026, 3, 31, 23, 59, 0, 0, berlin), "FV2510"},
		{time.Date(2026, 4, 1, 0, 0, 0, 0, berlin), "FV2604"},
		// 22:00 UTC on 2026-09-30 is midnight in Berlin (CEST).
		{time.Date(2026, 9, 30, 21, 59, 59, 0, time.UTC), "FV2604"},
		{time.Date(2026, 9, 30, 22, 0, 0, 0, time.UTC), "FV2610"},
		{time.Date(2024, 4, 2, 12, 0, 0, 0, berlin), "FV2310"},
		{time.Date(2024, 4, 3, 0, 0, 0, 0, berlin), "FV2404"},
		{time.Date(2025, 5, 1, 0, 0, 0, 0, berlin), "FV2410"},
		{time.Date(2025, 6, 6, 0, 0, 0, 0, berlin), "FV2504"},
		{time.Date(2030, 1, 1, 0, 0, 0, 0, berlin), "FV2610"},
	} {
		got, err := Resolve(tc.at)
		if err != nil || got.String() != tc.want {
			t.Errorf("Resolve(%v) = %v, %v; want %s", tc.at, got, err, tc.want)
		}
	}
	if _, err := Resolve(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("want ErrBeforeFirst")
	}
}

func TestTextRoundTrip(t *testing.T) {
	var v Version
	if err := v.UnmarshalText([]byte("FV2025-10-01")); err != nil {
		t.Fatal(err)
	}
	b, _ := v.MarshalText()
	if string(b) != "FV2510" || v.Long() != "FV2025-10-01" {
		t.Fatalf("got %s / %s", b, v.Long())
	}
}

func BenchmarkResolve(b *testing.B) {
	t := time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)
	for b.Loop() {
		if _, err := Resolve(t); err != nil {
			b.Fatal(err)
		}
	}
}
