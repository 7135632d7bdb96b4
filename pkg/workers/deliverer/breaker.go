package deliverer

import (
	"fmt"
	"sync"
	"time"
)

// breaker keeps, per partner (tenant + recipient) and per instance, what
// the deliverer needs against head-of-line blocking. It is an optimisation;
// correctness never depends on it.
//
//   - Cool-down: after a failed send the partner cools down for
//     min(limit, base·2^(failures-1)); its messages wait without a send until
//     one probe may try again. While a partner is failing, only one send to
//     it runs at a time. A success forgets the failures.
//   - Hanging sends: while a send to the partner has been running for
//     spreadAfter or longer, further messages of the partner wait without a
//     send (the partner is busy) instead of starting more hanging sends.
//   - Lanes: pkg/worker hands a message to the lane of its key and blocks
//     when that lane's buffer is full, so messages piling up behind a
//     hanging probe would stall every lane. Lane keys are the outbox subject
//     while the partner is healthy (its messages are sent one after the
//     other, at the partner's pace); while it fails or hangs, each message
//     gets its own key, is spread over all lanes and skipped there at once.
//
// What remains: the very first hanging send to a partner that was healthy
// so far holds its lane until the send's timeout, and if more than a lane
// buffer of the partner's messages arrive meanwhile, the worker's
// dispatcher waits for that lane (once per onset, at most one timeout).
type breaker struct {
	mu          sync.Mutex
	base, limit time.Duration
	spreadAfter time.Duration
	next        uint64
	m           map[string]*partnerState
}

type partnerState struct {
	fails   int
	until   time.Time // cooling down until
	err     error     // last failure
	running map[uint64]time.Time
}

func newBreaker(base, limit time.Duration) *breaker {
	return &breaker{base: base, limit: limit, spreadAfter: time.Second, m: map[string]*partnerState{}}
}

func (b *breaker) hanging(s *partnerState, now time.Time) (time.Duration, bool) {
	for _, t := range s.running {
		if d := now.Sub(t); d >= b.spreadAfter {
			return d, true
		}
	}
	return 0, false
}

// spread reports whether the partner's messages should leave their lane:
// the partner is failing, or a send to it hangs.
func (b *breaker) spread(key string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.m[key]
	if !ok {
		return false
	}
	_, hang := b.hanging(s, now)
	return s.fails > 0 || hang
}

// admit decides whether a message of the partner may be sent now. It
// returns a token for done, or how long to wait and why.
func (b *breaker) admit(key string, now time.Time) (token uint64, wait time.Duration, why error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.m[key]
	if !ok {
		s = &partnerState{running: map[uint64]time.Time{}}
		b.m[key] = s
	}
	if now.Before(s.until) {
		left := s.until.Sub(now)
		return 0, left, fmt.Errorf("%w (%s, %s left): last error: %v", ErrCoolingDown, key, left.Round(time.Millisecond), s.err)
	}
	if d, hang := b.hanging(s, now); hang || s.fails > 0 && len(s.running) > 0 {
		return 0, b.base, fmt.Errorf("%w: %s: a send has been running for %s", ErrBusy, key, d.Round(time.Millisecond))
	}
	b.next++
	s.running[b.next] = now
	return b.next, 0, nil
}

// done ends the send admitted with token; err nil means the partner
// answered (accepted, or refused the interchange permanently).
func (b *breaker) done(key string, token uint64, now time.Time, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	s, ok := b.m[key]
	if !ok {
		s = &partnerState{running: map[uint64]time.Time{}}
		b.m[key] = s
	}
	delete(s.running, token)
	if err == nil {
		s.fails, s.until, s.err = 0, time.Time{}, nil
	} else {
		s.fails++
		s.until = now.Add(ceiling(s.fails-1, b.base, b.limit))
		s.err = err
	}
	if s.fails == 0 && len(s.running) == 0 {
		delete(b.m, key)
	}
}
