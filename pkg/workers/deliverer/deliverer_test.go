package deliverer_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

type letters struct {
	mu sync.Mutex
	l  []deadletter.Letter
}

func (r *letters) Write(ctx context.Context, l deadletter.Letter) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.l = append(r.l, l)
	return nil
}

func (r *letters) all() []deadletter.Letter {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]deadletter.Letter(nil), r.l...)
}

// A partner that never answers, with a backlog larger than a lane's buffer:
// only one request to it is ever in flight (the first send, then one probe
// per cool-down), the healthy partner published after it gets all its
// messages, and every message of the dead partner ends as a dead letter
// when the window closes.
func TestFailingPartnerGetsOneProbeAtATime(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.Ensure(ctx, js); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	inflight, maxInflight, deadReqs := 0, 0, 0
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // then the server notices the client giving up
		mu.Lock()
		inflight++
		deadReqs++
		maxInflight = max(maxInflight, inflight)
		mu.Unlock()
		<-r.Context().Done() // never answers
		mu.Lock()
		inflight--
		mu.Unlock()
	}))
	defer dead.Close()
	okKeys := map[string]bool{}
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		okKeys[r.Header.Get("Idempotency-Key")] = true
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer healthy.Close()

	st := partner.NewMemStore(nil)
	if _, err := st.Put(ctx, "nb", partner.Partner{MPID: mpLF, Channels: []partner.Channel{{Transport: partner.TransportHTTP, URL: dead.URL, Timeout: partner.Duration(150 * time.Millisecond)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Put(ctx, "nb", partner.Partner{MPID: mpNB, Channels: []partner.Channel{{Transport: partner.TransportHTTP, URL: healthy.URL}}}); err != nil {
		t.Fatal(err)
	}
	const nDead, nLive = 40, 5
	for i := range nDead {
		publish(t, ctx, js, outbox.Message{ID: fmt.Sprintf("dead-%d", i), Tenant: "nb", Sender: mpNB, Recipient: mpLF, MessageType: "APERAK", Payload: aperak})
	}
	for i := range nLive {
		publish(t, ctx, js, outbox.Message{ID: fmt.Sprintf("live-%d", i), Tenant: "nb", Sender: mpLF, Recipient: mpNB, MessageType: "APERAK", Payload: aperak})
	}
	dlq := &letters{}
	d, err := deliverer.New(js, st, dlq, deliverer.WithLanes(4), deliverer.WithBackoff(50*time.Millisecond, 200*time.Millisecond), deliverer.WithWindow(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	cons, err := js.Consumer(ctx, outbox.Stream, deliverer.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(rctx, cons) }()
	deadline := time.Now().Add(20 * time.Second)
	for len(dlq.all()) < nDead && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(okKeys) != nLive {
		t.Fatalf("healthy partner got %d of %d messages", len(okKeys), nLive)
	}
	if got := dlq.all(); len(got) != nDead {
		t.Fatalf("%d dead letters, want %d", len(got), nDead)
	}
	for _, l := range dlq.all() {
		if l.Reason != deadletter.ReasonOutboxExhausted || l.Audit.Receiver != mpLF {
			t.Fatalf("dead letter %+v", l)
		}
	}
	if maxInflight != 1 {
		t.Fatalf("%d requests to the dead partner ran at once, want 1", maxInflight)
	}
	if deadReqs >= nDead {
		t.Fatalf("the dead partner got %d requests for %d messages: no cool-down", deadReqs, nDead)
	}
}

func publish(t *testing.T, ctx context.Context, js jetstream.JetStream, m outbox.Message) {
	t.Helper()
	if _, err := outbox.Publish(ctx, js, m); err != nil {
		t.Fatal(err)
	}
}
