package demo

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/memstore"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/geligas"
	erpwire "github.com/mako-engine/mako/pkg/wire/erp"
	erpworker "github.com/mako-engine/mako/pkg/workers/erp"
	"github.com/nats-io/nats.go/jetstream"
)

// A command rejected with no_process (its business key not yet bound) is
// sent again under the same key; another rejection, or too many, fails.
func TestERPSenderResendsNoProcess(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ERPIN", Subjects: []string{"mako.erp.in.>"}})
	if err != nil {
		t.Fatal(err)
	}
	count := func() uint64 {
		info, err := st.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return info.State.Msgs
	}
	rejection := func(key, code string) ReceivedEvent {
		b, _ := json.Marshal(erpworker.CommandAnswer{IdempotencyKey: key, CommandType: "geligas.decide", Code: code, Reason: "test"})
		return ReceivedEvent{Tenant: "lfa", Event: erpwire.CloudEvent{Type: erpwire.TypeCommandRejected, Data: b}}
	}
	es := &erpSender{js: js, sent: map[string]*pendingCommand{}}
	c := consent(DefaultGasMarket.LFA, "geligas.decide", DefaultGasMarket.NB.MPID, "TX1", geligas.DecisionKey(DefaultGasMarket.NB.MPID, "TX1"))
	if err := es.send(ctx, "k1", c); err != nil {
		t.Fatal(err)
	}
	if err := es.rejected(rejection("someone-else", erpworker.RejectNoProcess)); err != nil {
		t.Fatalf("a foreign rejection: %v", err)
	}
	if err := es.rejected(rejection("k1", erpworker.RejectNoProcess)); err != nil {
		t.Fatal(err)
	}
	if err := es.resendDue(ctx); err != nil || count() != 1 {
		t.Fatalf("resent before its time: %v, %d messages", err, count())
	}
	time.Sleep(150 * time.Millisecond)
	if err := es.resendDue(ctx); err != nil || count() != 2 {
		t.Fatalf("not resent: %v, %d messages", err, count())
	}
	if err := es.rejected(rejection("k1", erpworker.RejectInvalidData)); err == nil {
		t.Fatal("invalid_data did not fail")
	}
	es.sent["k1"].attempts = maxResends
	if err := es.rejected(rejection("k1", erpworker.RejectNoProcess)); err == nil {
		t.Fatal("endless resends")
	}
}

// A command routed by a business key waits until the key is bound (the
// relay binds it after the ERP event may already be out), up to keyWait.
func TestERPSenderAwaitsKey(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ERPIN", Subjects: []string{"mako.erp.in.>"}}); err != nil {
		t.Fatal(err)
	}
	reg := memstore.NewRegistry()
	es := &erpSender{js: js, reg: reg, keyWait: 5 * time.Second, sent: map[string]*pendingCommand{}}
	key := geligas.DecisionKey(DefaultGasMarket.NB.MPID, "TX1")
	c := consent(DefaultGasMarket.LFA, "geligas.decide", DefaultGasMarket.NB.MPID, "TX1", key)
	bound := make(chan time.Time, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		id := engine.ProcessIdentity{Tenant: "lfa", Process: "p1", Workflow: engine.WorkflowID{Name: "geligas.lfa.abmeldeanfrage", FormatVersion: fv.MustParse("FV2610")}}
		if err := reg.Correlate(ctx, "lfa", key, id); err != nil {
			t.Error(err)
		}
		bound <- time.Now()
	}()
	if err := es.send(ctx, "k1", c); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	if at := <-bound; sent.Before(at) {
		t.Fatalf("sent at %v before the key was bound at %v", sent, at)
	}
	// Without the key bound the command goes out after keyWait.
	es.keyWait = 50 * time.Millisecond
	start := time.Now()
	if err := es.send(ctx, "k2", consent(DefaultGasMarket.LFA, "geligas.decide", DefaultGasMarket.NB.MPID, "TX2", geligas.DecisionKey(DefaultGasMarket.NB.MPID, "TX2"))); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > 2*time.Second {
		t.Fatalf("unbound key: sent after %v", d)
	}
}
