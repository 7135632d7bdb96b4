package erp_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	erpwire "github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/workers/erp"
	"github.com/mako-engine/mako/streams"
)

// BenchmarkFromEnvelope builds and encodes one CloudEvent with BO4E data.
func BenchmarkFromEnvelope(b *testing.B) {
	ev := switched{MaLo: "51238696781", Supplier: "9900000000004", From: time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC)}
	env := envelope()
	b.ReportAllocs()
	for b.Loop() {
		ce, err := erpwire.FromEnvelope(env, ev)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ce.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublish stores one CloudEvent per op on an embedded server
// (synchronous publish with Nats-Msg-Id, file storage).
func BenchmarkPublish(b *testing.B) {
	s := natstest.Start(b)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.EnsureStreams(ctx, js, []string{erpwire.Stream}); err != nil {
		b.Fatal(err)
	}
	ev := switched{MaLo: "51238696781", Supplier: "9900000000004", From: time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC)}
	env := envelope()
	i := 0
	start := time.Now()
	for b.Loop() {
		env.EventID = engine.EventID(fmt.Sprint(i))
		i++
		ce, err := erpwire.FromEnvelope(env, ev)
		if err != nil {
			b.Fatal(err)
		}
		if err := erp.Publish(ctx, js, "nb", ce); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(i)/time.Since(start).Seconds(), "events/s")
}
