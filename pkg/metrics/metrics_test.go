package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/metrics"
	"github.com/nats-io/nats.go/jetstream"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestEndpoints(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "S", Subjects: []string{"s.>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateOrUpdateConsumer(ctx, "S", jetstream.ConsumerConfig{Durable: "c", AckPolicy: jetstream.AckExplicitPolicy}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		js.Publish(ctx, "s.x", []byte("x"))
	}
	m := metrics.New()
	if err := m.RegisterConsumerLag(js, metrics.ConsumerRef{Stream: "S", Consumer: "c"}); err != nil {
		t.Fatal(err)
	}
	m.InboundMessages.WithLabelValues("acme", "55001", "accepted").Inc()
	m.DeadLetters.WithLabelValues("duplicate").Add(2)
	var h metrics.Health
	ready := errors.New("streams missing")
	h.Add("streams", func(context.Context) error { return ready })
	mux := http.NewServeMux()
	m.Mount(mux, &h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	code, body := get(t, srv.URL+"/metrics")
	for _, want := range []string{
		`mako_inbound_messages_total{pid="55001",result="accepted",tenant="acme"} 1`,
		`mako_dead_letter_recorded_total{reason="duplicate"} 2`,
		`mako_consumer_pending_messages{consumer="c",stream="S"} 3`,
		`go_goroutines`,
	} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code, _ := get(t, srv.URL+"/healthz"); code != 200 {
		t.Errorf("/healthz %d", code)
	}
	if code, body := get(t, srv.URL+"/readyz"); code != 503 || !strings.Contains(body, "streams missing") {
		t.Errorf("/readyz %d %s", code, body)
	}
	ready = nil
	if code, _ := get(t, srv.URL+"/readyz"); code != 200 {
		t.Errorf("/readyz after recovery %d", code)
	}
	if metrics.Family("gpke.lfw.nb") != "gpke" || metrics.Family("x") != "x" {
		t.Error("Family")
	}
}
