package fristen

import (
	"testing"
	"time"
)

// fristen.md §4.2: Strom and Gas day boundaries around the 2025 DST switches.
func TestDSTBoundaryTable(t *testing.T) {
	for _, tc := range []struct {
		day          string
		sStart, sEnd string
		sHours       int
		gStart, gEnd string
		gHours       int
	}{
		{"2025-03-29", "2025-03-28T23:00:00Z", "2025-03-29T23:00:00Z", 24, "2025-03-29T05:00:00Z", "2025-03-30T04:00:00Z", 23},
		{"2025-03-30", "2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z", 23, "2025-03-30T04:00:00Z", "2025-03-31T04:00:00Z", 24},
		{"2025-10-25", "2025-10-24T22:00:00Z", "2025-10-25T22:00:00Z", 24, "2025-10-25T04:00:00Z", "2025-10-26T05:00:00Z", 25},
		{"2025-10-26", "2025-10-25T22:00:00Z", "2025-10-26T23:00:00Z", 25, "2025-10-26T05:00:00Z", "2025-10-27T05:00:00Z", 24},
	} {
		noon := local(t, tc.day+" 12:00")
		s, e := Stromtag(noon)
		if !s.Equal(rfc(t, tc.sStart)) || !e.Equal(rfc(t, tc.sEnd)) || e.Sub(s) != time.Duration(tc.sHours)*time.Hour {
			t.Errorf("Stromtag(%s) = [%v, %v)", tc.day, s, e)
		}
		if DayLength(Strom, noon) != time.Duration(tc.sHours)*time.Hour {
			t.Errorf("DayLength(Strom, %s) = %v", tc.day, DayLength(Strom, noon))
		}
		gs, ge := Gastag(noon)
		if !gs.Equal(rfc(t, tc.gStart)) || !ge.Equal(rfc(t, tc.gEnd)) || ge.Sub(gs) != time.Duration(tc.gHours)*time.Hour {
			t.Errorf("Gastag(%s) = [%v, %v)", tc.day, gs, ge)
		}
		if DayLength(Gas, noon) != time.Duration(tc.gHours)*time.Hour {
			t.Errorf("DayLength(Gas, %s) = %v", tc.day, DayLength(Gas, noon))
		}
		if a, b := DayOf(Gas, noon); !a.Equal(gs) || !b.Equal(ge) {
			t.Error("DayOf(Gas) differs from Gastag")
		}
		// every instant of the day maps back to the same day
		for u := s; u.Before(e); u = u.Add(17 * time.Minute) {
			if a, _ := Stromtag(u); !a.Equal(s) {
				t.Fatalf("Stromtag(%v) = %v, want %v", u, a, s)
			}
		}
		for u := gs; u.Before(ge); u = u.Add(17 * time.Minute) {
			if a, _ := Gastag(u); !a.Equal(gs) {
				t.Fatalf("Gastag(%v) = %v, want %v", u, a, gs)
			}
		}
	}
	// an instant at 03:00 local belongs to the previous Gastag (§8 item 4)
	gs, _ := Gastag(local(t, "2025-06-10 03:00"))
	if !gs.Equal(local(t, "2025-06-09 06:00")) {
		t.Errorf("Gastag(03:00) starts %v", gs)
	}
}

// fristen.md §11.2 (T1–T7).
func TestDayLimits(t *testing.T) {
	for _, tc := range []struct {
		id, at string
		strom  *bool
		gas    *bool
	}{
		{"T1", "2019-12-31T23:00:00Z", ptr(true), nil},
		{"T2", "2022-03-26T23:00:00Z", ptr(true), nil},
		{"T3", "2022-03-27T22:00:00Z", ptr(true), nil},
		{"T4", "2022-10-31T00:00:00+02:00", ptr(false), nil},
		{"T5", "2020-01-01T04:00:00Z", nil, ptr(false)},
		{"T6", "2022-03-27T04:00:00+02:00", nil, ptr(false)},
		{"T7", "2022-10-30T06:00:00+02:00", nil, ptr(false)},
		// positive Gastag limits for contrast
		{"G+", "2020-01-01T05:00:00Z", nil, ptr(true)},
		{"G+DST", "2022-03-27T04:00:00Z", nil, ptr(true)},
	} {
		at := rfc(t, tc.at)
		if tc.strom != nil && IsStromtagLimit(at) != *tc.strom {
			t.Errorf("%s IsStromtagLimit(%s) = %v", tc.id, tc.at, !*tc.strom)
		}
		if tc.gas != nil && IsGastagLimit(at) != *tc.gas {
			t.Errorf("%s IsGastagLimit(%s) = %v", tc.id, tc.at, !*tc.gas)
		}
	}
}

func ptr(b bool) *bool { return &b }

// fristen.md §11.3 (G1, G2): both directions round-trip.
func TestGasStromConversion(t *testing.T) {
	for _, tc := range []struct{ id, gas, strom string }{
		{"G1", "2022-12-31T05:00:00Z", "2022-12-30T23:00:00Z"},
		{"G2", "2023-03-26T04:00:00Z", "2023-03-25T23:00:00Z"},
		{"DST end", "2023-10-29T05:00:00Z", "2023-10-28T22:00:00Z"},
	} {
		s, ok := GasToStrom(rfc(t, tc.gas))
		if !ok || !s.Equal(rfc(t, tc.strom)) {
			t.Errorf("%s GasToStrom = %v %v, want %s", tc.id, s, ok, tc.strom)
		}
		g, ok := StromToGas(rfc(t, tc.strom))
		if !ok || !g.Equal(rfc(t, tc.gas)) {
			t.Errorf("%s StromToGas = %v %v, want %s", tc.id, g, ok, tc.gas)
		}
	}
	if _, ok := GasToStrom(rfc(t, "2022-12-31T06:00:00Z")); ok {
		t.Error("GasToStrom accepted a non-boundary")
	}
	if _, ok := StromToGas(rfc(t, "2022-12-31T00:00:00Z")); ok {
		t.Error("StromToGas accepted a non-boundary")
	}
}

// fristen.md §11.6 (L1) and DST-safe hour arithmetic.
func TestAddDaysAndHours(t *testing.T) {
	if got := AddDays(rfc(t, "2022-10-29T10:00:00Z"), 1); !got.Equal(rfc(t, "2022-10-30T11:00:00Z")) {
		t.Errorf("L1 AddDays = %v", got)
	}
	if got := AddDays(rfc(t, "2025-03-29T11:00:00Z"), 1); !got.Equal(rfc(t, "2025-03-30T10:00:00Z")) {
		t.Errorf("AddDays across DST start = %v", got)
	}
	// 24 elapsed hours across DST start move the local clock by 25 h.
	got := AddHours(local(t, "2025-03-29 12:00"), 24)
	if !got.Equal(local(t, "2025-03-30 13:00")) || got.Location() != Berlin() {
		t.Errorf("AddHours across DST start = %v", got)
	}
	if got := AddHours(local(t, "2025-10-25 12:00"), 24); !got.Equal(local(t, "2025-10-26 11:00")) {
		t.Errorf("AddHours across DST end = %v", got)
	}
	if got := EndOfDay(rfc(t, "2025-03-30T12:00:00Z")); !got.Equal(rfc(t, "2025-03-30T22:00:00Z")) {
		t.Errorf("EndOfDay = %v", got)
	}
	if got := Date(2025, 10, 26); !got.Equal(rfc(t, "2025-10-25T22:00:00Z")) {
		t.Errorf("Date = %v", got)
	}
}

func TestSparte(t *testing.T) {
	for _, s := range []Sparte{Strom, Gas} {
		if p, ok := ParseSparte(s.String()); !ok || p != s {
			t.Errorf("ParseSparte(%s)", s)
		}
	}
	if _, ok := ParseSparte("Strom"); ok {
		t.Error("ParseSparte is case-sensitive")
	}
}
