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
	handle := func(data []byte) error { return h.handle(tenant.ID, data) }
	count := h.count

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

	unrouted := []byte(strings.Replace(string(bench.Interchange("IX2", "TX2")), "RFF+Z13:55001'", "RFF+Z13:55555'", 1))
	if err := handle(unrouted); err != nil {
		t.Fatal(err)
	}
	if c, d, o := count(command.Stream), count(deadletter.Stream), count(outbox.Stream); c != 1 || d != 2 || o != 1 {
		t.Fatalf("unrouted PID: %d commands, %d dead letters, %d outbox messages; want 1, 2, 1 (APERAK 313)", c, d, o)
	}
}
