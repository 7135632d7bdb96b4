package deliverer

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestBackoffBounds(t *testing.T) {
	base, limit := 5*time.Second, 5*time.Minute
	// The ceiling doubles from base and stops at the cap: 5 s, 10 s, … 160 s, 300 s.
	wantCeil := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 300 * time.Second, 300 * time.Second}
	for attempt, want := range wantCeil {
		if got := ceiling(attempt, base, limit); got != want {
			t.Errorf("ceiling(%d) = %s, want %s", attempt, got, want)
		}
		// The largest draw stays below the ceiling, the smallest is 0.
		if got := Backoff(attempt, base, limit, func(n int64) int64 { return n - 1 }); got != want-1 {
			t.Errorf("Backoff(%d) max draw = %s, want %s", attempt, got, want-1)
		}
		if got := Backoff(attempt, base, limit, func(n int64) int64 { return 0 }); got != 0 {
			t.Errorf("Backoff(%d) min draw = %s", attempt, got)
		}
	}
	// Huge attempts neither overflow nor exceed the cap.
	for _, a := range []int{63, 64, 1000, 1 << 30} {
		if got := ceiling(a, base, limit); got != limit {
			t.Errorf("ceiling(%d) = %s", a, got)
		}
	}
	if got := ceiling(-3, base, limit); got != base {
		t.Errorf("negative attempt: %s", got)
	}
	if Backoff(3, 0, limit, rand.Int64N) != 0 || Backoff(3, base, 0, rand.Int64N) != 0 {
		t.Error("zero base or cap must give 0")
	}
	// Real draws: uniform in [0, ceiling).
	r := rand.New(rand.NewPCG(1, 2))
	for attempt := range 12 {
		c := ceiling(attempt, base, limit)
		for range 200 {
			if d := Backoff(attempt, base, limit, r.Int64N); d < 0 || d >= c {
				t.Fatalf("attempt %d: %s outside [0, %s)", attempt, d, c)
			}
		}
	}
}

func TestBreaker(t *testing.T) {
	b := newBreaker(100*time.Millisecond, time.Second)
	now := time.Unix(1000, 0)
	boom := errors.New("boom")

	// Healthy: admitted, concurrent sends to one partner allowed, no spreading.
	t1, w, err := b.admit("nb/1", now)
	if w != 0 || err != nil {
		t.Fatal("fresh partner not admitted")
	}
	t2, w, _ := b.admit("nb/1", now)
	if w != 0 {
		t.Fatal("second send to a healthy partner not admitted")
	}
	b.done("nb/1", t2, now, nil)
	if b.spread("nb/1", now.Add(b.spreadAfter-1)) {
		t.Fatal("spread before the send hangs")
	}
	// A send running for spreadAfter makes the partner busy and spreads it.
	if _, w, err := b.admit("nb/1", now.Add(b.spreadAfter)); w == 0 || !errors.Is(err, ErrBusy) {
		t.Fatalf("hanging partner admitted: %s %v", w, err)
	}
	if !b.spread("nb/1", now.Add(b.spreadAfter)) || b.spread("nb/2", now.Add(b.spreadAfter)) {
		t.Fatal("hanging partner not spread, or another one spread")
	}
	b.done("nb/1", t1, now, boom)

	// Failing: cooling down, spread, one probe at a time after the cool-down.
	if _, w, err := b.admit("nb/1", now); w != 100*time.Millisecond || !errors.Is(err, ErrCoolingDown) || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("after one failure: %s %v", w, err)
	}
	if !b.spread("nb/1", now) {
		t.Fatal("failing partner not spread")
	}
	for i, want := range []time.Duration{200 * time.Millisecond, 400 * time.Millisecond} {
		now = now.Add(time.Second)
		tok, w, _ := b.admit("nb/1", now)
		if w != 0 {
			t.Fatalf("probe %d not admitted", i)
		}
		if _, w, err := b.admit("nb/1", now); !errors.Is(err, ErrBusy) || w == 0 {
			t.Fatal("a second send during the probe was admitted")
		}
		b.done("nb/1", tok, now, boom)
		if _, w, _ := b.admit("nb/1", now); w != want {
			t.Fatalf("after %d failures: %s, want %s", i+2, w, want)
		}
	}
	for range 10 {
		b.done("nb/1", 0, now, boom)
	}
	if _, w, _ := b.admit("nb/1", now); w != time.Second {
		t.Fatalf("cap: %s", w)
	}
	// A success forgets the partner entirely.
	now = now.Add(2 * time.Second)
	tok, w, _ := b.admit("nb/1", now)
	if w != 0 {
		t.Fatal("probe after the cap not admitted")
	}
	b.done("nb/1", tok, now, nil)
	if b.spread("nb/1", now) || len(b.m) != 0 {
		t.Fatalf("recovered partner still tracked: %v", b.m)
	}
}

func TestSentCacheBounded(t *testing.T) {
	s := newSentCache(2)
	s.put("a", sentEntry{transport: "http"})
	s.put("b", sentEntry{})
	s.put("a", sentEntry{transport: "file"}) // update, no second slot
	s.put("c", sentEntry{})
	if _, ok := s.get("a"); ok {
		t.Fatal("oldest entry not evicted")
	}
	if _, ok := s.get("b"); !ok {
		t.Fatal("b evicted too early")
	}
	if _, ok := s.get("c"); !ok {
		t.Fatal("c missing")
	}
}
