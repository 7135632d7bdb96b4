package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/internal/testflow"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// harness is the ingest handler alone on a real embedded server, with the
// testflow workflow and extra routes.
type harness struct {
	t    *testing.T
	ctx  context.Context
	js   jetstream.JetStream
	in   *ingest.Ingestor
	cons jetstream.Consumer
	// lastSeq is the MAKO_INGEST sequence of the last message handled.
	lastSeq uint64
}

func newHarness(t *testing.T, extra []routing.Route, tenants ...ingest.Tenant) *harness {
	t.Helper()
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	if err := streams.Ensure(ctx, js); err != nil {
		t.Fatal(err)
	}
	stores, err := natsstore.Open(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stores.Close)
	mod := testflow.Module(fv.MustParse("FV2604"))
	ec, err := engine.New(engine.WithEventStore(stores.Events), engine.WithSnapshotStore(stores.Snapshots),
		engine.WithRegistry(stores.Registry), engine.WithInbox(stores.Inbox), engine.WithWorkflows(mod.Definitions...))
	if err != nil {
		t.Fatal(err)
	}
	router, err := routing.New(append(mod.Routes, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	dlq, err := deadletter.NewSink(js, nil)
	if err != nil {
		t.Fatal(err)
	}
	in, err := ingest.New(js, ec, router, ingest.StaticTenants(tenants...), dlq)
	if err != nil {
		t.Fatal(err)
	}
	cons, err := js.Consumer(ctx, inbound.Stream, streams.ConsumerIngest)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, ctx: ctx, js: js, in: in, cons: cons}
}

// handle publishes data to the tenant's ingest subject and runs the
// handler on it, returning the handler's error.
func (h *harness) handle(tenant engine.TenantID, data []byte) error {
	h.t.Helper()
	return h.handleOn(inbound.Subject(tenant), data)
}

// handleOn publishes data on subject and runs the handler on it.
func (h *harness) handleOn(subject string, data []byte) error {
	h.t.Helper()
	msg := nats.NewMsg(subject)
	msg.Data = data
	ack, err := h.js.PublishMsg(h.ctx, msg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.lastSeq = ack.Sequence
	b, err := h.cons.Fetch(1, jetstream.FetchMaxWait(10*time.Second))
	if err != nil {
		h.t.Fatal(err)
	}
	for m := range b.Messages() {
		err := h.in.Handle(h.ctx, m)
		_ = m.Ack()
		return err
	}
	h.t.Fatal("no ingest message")
	return nil
}

// count returns the number of messages in stream.
func (h *harness) count(stream string) uint64 {
	h.t.Helper()
	st, err := h.js.Stream(h.ctx, stream)
	if err != nil {
		h.t.Fatal(err)
	}
	info, err := st.Info(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return info.State.Msgs
}
