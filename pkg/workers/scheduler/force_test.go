package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/workers/scheduler"
	"github.com/mako-engine/mako/streams"
	"github.com/vmihailenco/msgpack/v5"
)

// TestForce fires deadlines by hand against a real event store and command
// stream: the latest set open deadline of the label is fired, a cancelled or
// fired one is not, the error lists the open labels, and the command on the
// process's subject carries the fire with its audit.
func TestForce(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.EnsureStreams(ctx, js, []string{"MAKO_EVENTS", command.Stream}); err != nil {
		t.Fatal(err)
	}
	events, err := natsstore.NewEventStore(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	stream := enginetest.NewStream()
	due := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	n := 0
	appendEvent := func(typ string, payload any) {
		t.Helper()
		b, err := msgpack.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		cmd := engine.CommandID(fmt.Sprint("c", n))
		ev := engine.NewEvent{EventID: engine.EventIDFor(stream.Process, cmd, 0), Tenant: stream.Tenant, Process: stream.Process,
			Workflow: enginetest.Workflow, Type: typ, SchemaVersion: engine.EngineEventSchemaVersion, CommandID: cmd, Payload: b}
		if !engine.IsEngineEventType(typ) {
			ev.SchemaVersion = 1
		}
		if _, err := events.Append(ctx, stream, engine.Exact(uint64(n)), []engine.NewEvent{ev}); err != nil {
			t.Fatal(err)
		}
		n++
	}
	set := func(id engine.DeadlineID, label string, in time.Duration) {
		appendEvent(engine.EventDeadlineSet, engine.DeadlineSet{ID: id, Label: label, Due: due.Add(in)})
	}
	appendEvent("Started", map[string]string{"by": "test"}) // a workflow event: not decoded
	set("d-lfa-1", "lfa", time.Hour)
	set("d-aperak", "aperak", 2*time.Hour)
	set("d-lfa-2", "lfa", -time.Hour) // set later, due earlier: the latest set wins
	set("d-gone", "gone", time.Hour)
	appendEvent(engine.EventDeadlineCancelled, engine.DeadlineCancelled{ID: "d-gone", Label: "gone"})

	at := due.Add(-3 * time.Hour)
	req := scheduler.ForceRequest{Tenant: stream.Tenant, Process: stream.Process, Label: "lfa", By: "op", Reason: "Klärfall 7", At: at}
	force := func(label string) (engine.DeadlineFired, error) {
		r := req
		r.Label = label
		return scheduler.Force(ctx, js, events, r)
	}
	fired, err := force("lfa")
	if err != nil || fired.ID != "d-lfa-2" || !fired.Due.Equal(due.Add(-time.Hour)) || !fired.FiredAt.Equal(at) || fired.By != "op" || fired.Reason != "Klärfall 7" || fired.Label != "lfa" {
		t.Fatalf("force lfa = %+v, %v", fired, err)
	}
	// the command on the process's subject
	cmds, err := js.Stream(ctx, command.Stream)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cmds.GetLastMsgForSubject(ctx, command.Subject(stream.Tenant, stream.Process))
	if err != nil {
		t.Fatal(err)
	}
	got, err := command.DecodeFired(msg.Data)
	if err != nil || got.ID != "d-lfa-2" || got.By != "op" || msg.Header.Get(command.HeaderWorkflow) != enginetest.Workflow.String() ||
		msg.Header.Get(command.HeaderCommandID) != string(engine.FireCommandID("d-lfa-2")) {
		t.Fatalf("command %+v %v, headers %v", got, err, msg.Header)
	}
	// the processor records the fire: the label's earlier deadline is next
	appendEvent(engine.EventDeadlineFired, fired)
	if fired, err = force("lfa"); err != nil || fired.ID != "d-lfa-1" {
		t.Fatalf("force lfa again = %+v, %v", fired, err)
	}
	appendEvent(engine.EventDeadlineFired, fired)
	_, err = force("lfa")
	if !errors.Is(err, scheduler.ErrNoOpenDeadline) || !strings.Contains(err.Error(), "[aperak]") {
		t.Fatalf("no open lfa: %v", err)
	}
	if _, err := force("gone"); !errors.Is(err, scheduler.ErrNoOpenDeadline) {
		t.Fatalf("cancelled deadline fired: %v", err)
	}
	if fired, err := force("aperak"); err != nil || fired.ID != "d-aperak" {
		t.Fatalf("force aperak = %+v, %v", fired, err)
	}
	// no history, no audit, no tenant
	r := req
	r.Process = engine.NewProcessID()
	if _, err := scheduler.Force(ctx, js, events, r); !errors.Is(err, scheduler.ErrNoOpenDeadline) || !strings.Contains(err.Error(), "no history") {
		t.Fatalf("unknown process: %v", err)
	}
	r = req
	r.Reason = ""
	if _, err := scheduler.Force(ctx, js, events, r); !errors.Is(err, scheduler.ErrAuditMissing) {
		t.Fatalf("no reason: %v", err)
	}
	r = req
	r.Tenant = ""
	if _, err := scheduler.Force(ctx, js, events, r); err == nil {
		t.Fatal("no tenant accepted")
	}
}
