package ingest_test

import (
	"strings"
	"testing"

	"github.com/mako-engine/mako/internal/bench"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/workers/ingest"
)

// TestHandleExecutesThePlan runs the ingest handler alone on a real
// embedded server: a routed initiating transaction becomes one command on
// MAKO_COMMANDS, its repetition is a duplicate, and an unrouted PID is
// answered with an APERAK 313 on MAKO_OUTBOX and dead-lettered.
func TestHandleExecutesThePlan(t *testing.T) {
	tenant := ingest.Tenant{ID: engine.TenantID(bench.Tenant), MPIDs: []string{bench.ReceiverMPID}, Roles: []routing.Role{routing.RoleNB}, Sector: catalog.Strom}
	h := newHarness(t, nil, tenant)
	ctx, js, count := h.ctx, h.js, h.count
	handleOn := h.handleOn
	handle := func(data []byte) error { t.Helper(); return h.handle(tenant.ID, data) }
	// letter checks the latest dead letter of tenant against the wire
	// contract (pkg/wire/deadletter): subject, headers, and a body naming
	// the ingest message (stream, subject, sequence) with its bytes.
	letter := func(tenant string, reason deadletter.Reason, subject string, data []byte) deadletter.Letter {
		t.Helper()
		st, err := js.Stream(ctx, deadletter.Stream)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := st.GetLastMsgForSubject(ctx, deadletter.Subject(tenant))
		if err != nil {
			t.Fatal(err)
		}
		l, err := deadletter.Decode(raw.Data)
		if err != nil {
			t.Fatal(err)
		}
		if raw.Header.Get(deadletter.HeaderReason) != string(reason) || raw.Header.Get(deadletter.HeaderTenant) != tenant ||
			l.Reason != reason || l.Audit.Tenant != tenant || l.Detail == "" || l.At == "" ||
			l.Source != (deadletter.Source{Stream: inbound.Stream, Subject: subject, Sequence: h.lastSeq}) ||
			string(l.Payload) != string(data) || l.PayloadSize != len(data) {
			t.Fatalf("dead letter %v %+v, want reason %s, tenant %s, source %s/%s/%d and the message bytes", raw.Header, l, reason, tenant, inbound.Stream, subject, h.lastSeq)
		}
		return l
	}

	if err := handle(bench.Interchange("IX1", "TX1")); err != nil {
		t.Fatal(err)
	}
	if n := count(command.Stream); n != 1 {
		t.Fatalf("%d commands after a routed transaction, want 1", n)
	}
	if err := handle(bench.Interchange("IX1", "TX1")); err != nil {
		t.Fatal(err)
	}
	if c, d := count(command.Stream), count(deadletter.Stream); c != 1 || d != 1 {
		t.Fatalf("resent interchange: %d commands, %d dead letters; want 1 and 1 (duplicate)", c, d)
	}
	if l := letter(string(tenant.ID), deadletter.ReasonDuplicate, inbound.Subject(tenant.ID), bench.Interchange("IX1", "TX1")); l.Audit.InterchangeRef != "IX1" || l.Audit.Sender == "" {
		t.Fatalf("duplicate letter audit %+v", l.Audit)
	}

	unrouted := []byte(strings.Replace(string(bench.Interchange("IX2", "TX2")), "RFF+Z13:55001'", "RFF+Z13:55555'", 1))
	if err := handle(unrouted); err != nil {
		t.Fatal(err)
	}
	if c, d, o := count(command.Stream), count(deadletter.Stream), count(outbox.Stream); c != 1 || d != 2 || o != 1 {
		t.Fatalf("unrouted PID: %d commands, %d dead letters, %d outbox messages; want 1, 2, 1 (APERAK 313)", c, d, o)
	}
	if l := letter(string(tenant.ID), deadletter.ReasonUnknownPID, inbound.Subject(tenant.ID), unrouted); l.Audit.PID != "55555" || l.Audit.TransactionID != "TX2" {
		t.Fatalf("unrouted letter audit %+v", l.Audit)
	}
	// a subject that names no tenant: the letter goes to the unknown tenant
	bad := inbound.Subject(tenant.ID) + ".extra"
	if err := handleOn(bad, []byte("not even EDIFACT")); err != nil {
		t.Fatal(err)
	}
	letter(deadletter.UnknownTenant, deadletter.ReasonMalformed, bad, []byte("not even EDIFACT"))
}
