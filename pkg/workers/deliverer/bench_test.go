package deliverer_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
	"github.com/mako-engine/mako/streams"
)

// BenchmarkDeliverHTTP measures outbox → HTTP gateway throughput of one
// deliverer on an embedded server: b.N APERAKs spread over 7 partners,
// every one POSTed to a loopback gateway and acknowledged on MAKO_OUTBOX.
func BenchmarkDeliverHTTP(b *testing.B) {
	s := natstest.Start(b)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.Ensure(ctx, js); err != nil {
		b.Fatal(err)
	}
	var got atomic.Int64
	done := make(chan struct{})
	total := int64(b.N)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		if got.Add(1) == total {
			close(done)
		}
	}))
	defer srv.Close()
	st := partner.NewMemStore(nil)
	valid := []string{"9900000000004", "9900000000011", "9900000000028", "9900000000035", "9900000000097", "9900000000103", "9900000000998"}
	for _, mp := range valid {
		if _, err := st.Put(ctx, "nb", partner.Partner{MPID: mp, Channels: []partner.Channel{{Transport: partner.TransportHTTP, URL: srv.URL}}}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range b.N {
		m := outbox.Message{ID: fmt.Sprintf("bench-%d", i), Tenant: "nb", Sender: mpNB, Recipient: valid[i%len(valid)], MessageType: "APERAK",
			InterchangeRef: fmt.Sprintf("B%d", i), Payload: aperak}
		if _, err := js.PublishMsgAsync(m.NatsMsg()); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(time.Minute):
		b.Fatal("publish timed out")
	}
	cons, err := js.Consumer(ctx, outbox.Stream, deliverer.Consumer)
	if err != nil {
		b.Fatal(err)
	}
	d, err := deliverer.New(js, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b.ResetTimer()
	start := time.Now()
	go d.Run(rctx, cons)
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		b.Fatalf("delivered %d of %d", got.Load(), b.N)
	}
	el := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/el.Seconds(), "msgs/s")
}
