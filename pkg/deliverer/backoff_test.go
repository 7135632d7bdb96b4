package deliverer

import (
	"errors"
	"math/rand/v2"
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

func TestCooldown(t *testing.T) {
	c := newCooldown(100*time.Millisecond, time.Second)
	now := time.Unix(1000, 0)
	if w, _ := c.blocked("nb/1", now); w != 0 {
		t.Fatal("fresh partner blocked")
	}
	boom := errors.New("boom")
	c.fail("nb/1", now, boom)
	if w, err := c.blocked("nb/1", now); w != 100*time.Millisecond || err != boom {
		t.Fatalf("after one failure: %s %v", w, err)
	}
	if w, _ := c.blocked("nb/2", now); w != 0 {
		t.Fatal("other partner blocked")
	}
	c.fail("nb/1", now, boom)
	c.fail("nb/1", now, boom)
	if w, _ := c.blocked("nb/1", now); w != 400*time.Millisecond {
		t.Fatalf("after three failures: %s", w)
	}
	for range 10 {
		c.fail("nb/1", now, boom)
	}
	if w, _ := c.blocked("nb/1", now); w != time.Second {
		t.Fatalf("cap: %s", w)
	}
	if w, _ := c.blocked("nb/1", now.Add(time.Second)); w != 0 {
		t.Fatal("still blocked after the cool-down")
	}
	c.ok("nb/1")
	c.fail("nb/1", now, boom)
	if w, _ := c.blocked("nb/1", now); w != 100*time.Millisecond {
		t.Fatalf("success did not reset: %s", w)
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
