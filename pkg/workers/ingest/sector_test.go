package ingest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/bench"
	"github.com/mako-engine/mako/internal/testflow"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/nats-io/nats.go/jetstream"
)

// DVGW MP-IDs (98…, valid check digits) of the gas side of the parties of
// bench.Interchange.
const (
	gasSender   = "9800000000007"
	gasReceiver = "9800000000014"
)

// gasInterchange is bench.Interchange as UTILMD Gas (G1.2, PID 44001)
// between the DVGW MP-IDs: clean syntax, so a Gas receiver owes a positive
// CONTRL (its AHB does not matter for the CONTRL).
func gasInterchange(ref, tx string) []byte {
	s := string(bench.Interchange(ref, tx))
	s = strings.NewReplacer(bench.SenderMPID+":500", gasSender+":502", bench.ReceiverMPID+":500", gasReceiver+":502",
		bench.SenderMPID+"::293", gasSender+"::332", bench.ReceiverMPID+"::293", gasReceiver+"::332",
		"S2.2", "G1.2", "RFF+Z13:55001", "RFF+Z13:44001").Replace(s)
	return []byte(s)
}

// A tenant of both sectors (a BDEW and a DVGW MP-ID) gets the CONTRL duty
// of each interchange's sector: none for a clean Strom interchange, a
// positive one from its DVGW MP-ID for a clean Gas interchange. A tenant
// that serves Strom only refuses a Gas transaction (APERAK Z31) even where
// a Gas route exists — in the real ingest handler on a real server.
func TestBothSectorTenant(t *testing.T) {
	both := ingest.Tenant{ID: "both", MPIDs: []string{bench.ReceiverMPID, gasReceiver}, Roles: []routing.Role{routing.RoleNB},
		Sectors: []catalog.Sector{catalog.Strom, catalog.Gas}}
	strom := ingest.Tenant{ID: "strom", Roles: []routing.Role{routing.RoleNB}, Sector: catalog.Strom}
	// A Gas route for 44001 beside testflow's, so that only the tenant's
	// sectors can stop a Gas transaction.
	h := newHarness(t, []routing.Route{{PID: "44001", Sector: catalog.Gas, Workflow: testflow.Name, Initiating: true}}, both, strom)
	ctx, js := h.ctx, h.js
	handle := func(tenant engine.TenantID, data []byte) {
		t.Helper()
		if err := h.handle(tenant, data); err != nil {
			t.Fatal(err)
		}
	}
	// outboxOf returns the outbox messages of tenant, in order.
	outboxOf := func(tenant string) []outbox.Message {
		t.Helper()
		oc, err := js.OrderedConsumer(ctx, outbox.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{outbox.SubjectPrefix + "." + tenant + ".>"}})
		if err != nil {
			t.Fatal(err)
		}
		var out []outbox.Message
		for {
			b, err := oc.Fetch(16, jetstream.FetchMaxWait(300*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for m := range b.Messages() {
				om, err := outbox.FromNats(m.Subject(), m.Headers(), m.Data())
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, om)
				n++
			}
			if n == 0 {
				return out
			}
		}
	}

	// Strom, clean: no CONTRL (the Strom rule), the transaction is processed.
	handle("both", bench.Interchange("IXS1", "TXS1"))
	if o := outboxOf("both"); len(o) != 0 {
		t.Fatalf("clean Strom interchange: %d outbox messages, want none: %+v", len(o), o)
	}
	// Gas, clean syntax: a positive CONTRL from the DVGW MP-ID to the sender.
	handle("both", gasInterchange("IXG1", "TXG1"))
	o := outboxOf("both")
	if len(o) == 0 || o[0].MessageType != catalog.CONTRL {
		t.Fatalf("clean Gas interchange: outbox %+v, want a CONTRL first", o)
	}
	ix, err := edifact.Parse(o[0].Payload)
	if err != nil {
		t.Fatal(err)
	}
	uci, _ := ix.Messages[0].Find(0, "UCI", "")
	if uci == nil || uci.Value(0, 0) != "IXG1" || uci.Value(3, 0) != "7" || ix.UNB().Sender.ID != gasReceiver || ix.UNB().Recipient.ID != gasSender {
		t.Fatalf("CONTRL %s from %s to %s, want UCI+IXG1…+7 from %s to %s", uci.Canonical(), ix.UNB().Sender.ID, ix.UNB().Recipient.ID, gasReceiver, gasSender)
	}
	// Gas with a syntax error: a negative CONTRL, as in Strom.
	bad := []byte(strings.Replace(string(gasInterchange("IXG2", "TXG2")), "UNT+", "UNT+9", 1))
	handle("both", bad)
	o = outboxOf("both")
	last := o[len(o)-1]
	ix, err = edifact.Parse(last.Payload)
	if err != nil {
		t.Fatal(err)
	}
	if uci, _ := ix.Messages[0].Find(0, "UCI", ""); last.MessageType != catalog.CONTRL || uci == nil || uci.Value(0, 0) != "IXG2" || uci.Value(3, 0) != "4" {
		t.Fatalf("faulty Gas interchange: last outbox message %s %s", last.MessageType, last.Payload)
	}

	// A Strom tenant: the Gas 44001 has no route for it, whatever the router holds.
	handle("strom", gasInterchange("IXG3", "TXG3"))
	dl, err := js.OrderedConsumer(ctx, deadletter.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{deadletter.Subject("strom")}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := dl.Next(jetstream.FetchMaxWait(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	l, err := deadletter.Decode(m.Data())
	if err != nil {
		t.Fatal(err)
	}
	if l.Reason != deadletter.ReasonUnknownPID || !strings.Contains(l.Detail, "does not serve") {
		t.Fatalf("dead letter %s: %s", l.Reason, l.Detail)
	}
}

// SectorFor: the tenant's own sector, else the sector of the addressed
// MP-ID's code list when the tenant serves it.
func TestTenantSectorFor(t *testing.T) {
	both := ingest.Tenant{MPIDs: []string{bench.ReceiverMPID, gasReceiver}, Sectors: []catalog.Sector{catalog.Strom, catalog.Gas}}
	gasOnlyIDs := ingest.Tenant{MPIDs: []string{bench.ReceiverMPID, gasReceiver}, Sectors: []catalog.Sector{catalog.Gas}}
	undeclared := ingest.Tenant{MPIDs: []string{gasReceiver}}
	for _, tc := range []struct {
		t         ingest.Tenant
		recipient string
		want      catalog.Sector
	}{
		{both, gasReceiver, catalog.Gas},
		{both, bench.ReceiverMPID, catalog.Strom},
		{both, gasSender, catalog.SectorUnspecified}, // not the tenant's
		{gasOnlyIDs, bench.ReceiverMPID, catalog.SectorUnspecified},
		{undeclared, gasReceiver, catalog.Gas},
		{ingest.Tenant{Sector: catalog.Strom}, gasReceiver, catalog.Strom},
	} {
		if got := tc.t.SectorFor(tc.recipient); got != tc.want {
			t.Errorf("%+v SectorFor(%s) = %v, want %v", tc.t, tc.recipient, got, tc.want)
		}
	}
	if (ingest.Tenant{Sector: catalog.Strom}).Serves(catalog.Gas) || !(ingest.Tenant{}).Serves(catalog.Gas) || !both.Serves(catalog.SectorUnspecified) {
		t.Error("Serves")
	}
}
