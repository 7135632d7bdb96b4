package demo

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	erpwire "github.com/mako-engine/mako/pkg/wire/erp"
	erpworker "github.com/mako-engine/mako/pkg/workers/erp"
	"github.com/nats-io/nats.go/jetstream"
)

// A command is sent once; the rejection of one of the demo's commands,
// whatever its code (no_process included), ends the demo, a rejection of
// someone else's command does not.
func TestERPSenderFailsOnItsRejection(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "ERPIN", Subjects: []string{"mako.erp.in.>"}})
	if err != nil {
		t.Fatal(err)
	}
	rejection := func(key, code string) ReceivedEvent {
		b, _ := json.Marshal(erpworker.CommandAnswer{IdempotencyKey: key, CommandType: "geligas.decide", Code: code, Reason: "test"})
		return ReceivedEvent{Tenant: "lfa", Event: erpwire.CloudEvent{Type: erpwire.TypeCommandRejected, Data: b}}
	}
	es := &erpSender{js: js, sent: map[string]erpCommand{}}
	if err := es.send(ctx, "k1", consent(DefaultGasMarket.LFA, "geligas.decide", DefaultGasMarket.NB.MPID, "TX1")); err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil || info.State.Msgs != 1 {
		t.Fatalf("sent: %v, %+v", err, info.State)
	}
	m, err := st.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	req, err := erpwire.DecodeRequest(m.Data)
	if err != nil || req.IdempotencyKey != "k1" || req.Type != "geligas.decide" || req.Tenant != "lfa" {
		t.Fatalf("request %+v %v", req, err)
	}
	if err := es.rejected(rejection("someone-else", erpworker.RejectNoProcess)); err != nil {
		t.Fatalf("a foreign rejection: %v", err)
	}
	for _, code := range []string{erpworker.RejectNoProcess, erpworker.RejectInvalidData} {
		if err := es.rejected(rejection("k1", code)); err == nil {
			t.Fatalf("%s did not end the demo", code)
		}
	}
}
