package commits_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/commits"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// stored publishes msgs to a stream like MAKO_EVENTS and reads them back as
// delivered messages.
func stored(t *testing.T, msgs ...*nats.Msg) []jetstream.Msg {
	t.Helper()
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: commits.Stream, Subjects: []string{natsstore.DefaultSubjectPrefix + ".>"}}); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if _, err := js.PublishMsg(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	c, err := js.OrderedConsumer(ctx, commits.Stream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	for range msgs {
		m, err := c.Next(jetstream.FetchMaxWait(10 * time.Second))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestLetterAndKeys(t *testing.T) {
	withHeaders := nats.NewMsg("mako.evt.nb.p-1")
	withHeaders.Data = []byte("not msgpack")
	withHeaders.Header.Set(natsstore.HeaderTenant, "nb")
	withHeaders.Header.Set(natsstore.HeaderProcess, "p-1")
	withHeaders.Header.Set(natsstore.HeaderCorrelation, "c-1")
	bare := nats.NewMsg("mako.evt.lf.p-2")
	bare.Data = []byte("x")
	ms := stored(t, withHeaders, bare)

	l := commits.Letter("effects failed")(ms[0], context.DeadlineExceeded)
	if l.Reason != deadletter.ReasonProcessing || l.Detail != "effects failed: context deadline exceeded" ||
		l.Audit.Tenant != "nb" || l.Audit.Process != "p-1" || l.Audit.Correlation != "c-1" {
		t.Fatalf("letter %+v", l)
	}
	if l := commits.Letter("x")(ms[1], context.Canceled); l.Audit.Tenant != "lf" {
		t.Fatalf("tenant from the subject: %+v", l.Audit)
	}
	if commits.ByTenant(ms[0]) != "nb" || commits.ByTenant(ms[1]) != "lf" || commits.BySubject(ms[0]) != "mako.evt.nb.p-1" {
		t.Fatal("lane keys")
	}

	called := false
	err := commits.Handler(func(context.Context, []engine.EventEnvelope) error { called = true; return nil })(context.Background(), ms[0])
	if called || !worker.IsPermanent(err) || !strings.Contains(err.Error(), "decode") {
		t.Fatalf("undecodable commit: called %v, err %v", called, err)
	}
}
