package deliverer

import (
	"errors"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/worker"
)

// The retry rule: a jittered delay within the window, the last retry at the
// window's end, and a permanent error once the window has passed.
func TestRetryWithinWindow(t *testing.T) {
	var got []Event
	d := mustNew(t, WithBackoff(time.Second, 8*time.Second), WithWindow(time.Minute),
		WithRand(func(n int64) int64 { return n - 1 }), WithObserver(func(ev Event) { got = append(got, ev) }))
	created := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	deadline := created.Add(time.Minute)
	cause := errors.New("503")

	// Attempt 3 (third delivery): ceiling base·2^2 = 4 s, the max draw just below.
	err := d.retry(Event{Attempt: 3}, "retry", created.Add(10*time.Second), deadline, 0, cause)
	if worker.IsPermanent(err) || !errors.Is(err, cause) || got[0].Delay != 4*time.Second-1 || got[0].Outcome != "retry" {
		t.Fatalf("in window: %v %+v", err, got)
	}
	// A minimum delay (cool-down) wins over a smaller draw.
	_ = d.retry(Event{Attempt: 1}, "skipped", created.Add(10*time.Second), deadline, 3*time.Second, cause)
	if got[1].Delay != 3*time.Second || got[1].Outcome != "skipped" {
		t.Fatalf("min delay: %+v", got[1])
	}
	// Near the end the delay is clamped so the last attempt happens at the deadline.
	_ = d.retry(Event{Attempt: 9}, "retry", deadline.Add(-2*time.Second), deadline, 0, cause)
	if got[2].Delay != 2*time.Second {
		t.Fatalf("clamp: %+v", got[2])
	}
	// At or after the deadline: permanent, naming the window and the cause.
	err = d.retry(Event{Attempt: 12}, "retry", deadline, deadline, 0, cause)
	if !worker.IsPermanent(err) || !errors.Is(err, ErrWindowElapsed) || !errors.Is(err, cause) || got[3].Outcome != "dead" {
		t.Fatalf("window elapsed: %v %+v", err, got[3])
	}
}
