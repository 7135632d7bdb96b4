package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/fv"
	cmdwire "github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/streams"
	"github.com/vmihailenco/msgpack/v5"
)

// TestDeadlineFireCLI: the CLI finds the open deadline in the process's
// history and publishes the fired-deadline command with who and why to
// MAKO_COMMANDS; a deadline that is not open (cancelled, unknown) exits 1,
// a fire without --by/--reason exits 2.
func TestDeadlineFireCLI(t *testing.T) {
	s := natstest.Start(t, natstest.WithListen())
	ctx := context.Background()
	_, js := s.JetStream()
	st, err := natsstore.Open(ctx, js, natsstore.WithEnsure(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := streams.EnsureStreams(ctx, js, []string{cmdwire.Stream}); err != nil {
		t.Fatal(err)
	}
	id := engine.ProcessIdentity{Tenant: "nb", Process: "p1", Workflow: engine.WorkflowID{Name: "gpke.nb.lieferbeginn", FormatVersion: fv.MustParse("FV2610")}}
	due := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	ev := func(typ string, payload any) engine.NewEvent {
		b, err := msgpack.Marshal(payload)
		if err != nil {
			t.Fatal(err)
		}
		return engine.NewEvent{Tenant: id.Tenant, Process: id.Process, Workflow: id.Workflow, Type: typ, SchemaVersion: engine.EngineEventSchemaVersion, CommandID: "c1", Payload: b}
	}
	if _, err := st.Events.Append(ctx, id.Stream(), engine.NoStream(), []engine.NewEvent{
		ev(engine.EventDeadlineSet, engine.DeadlineSet{ID: "d-lfa", Label: "lfa", Due: due}),
		ev(engine.EventDeadlineSet, engine.DeadlineSet{ID: "d-old", Label: "decision", Due: due}),
		ev(engine.EventDeadlineCancelled, engine.DeadlineCancelled{ID: "d-old", Label: "decision"}),
	}); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"deadline", "fire", "--nats-url", s.ClientURL()}, args...), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, _, errs := cli("--tenant", "nb", "p1", "lfa"); code != 2 || !strings.Contains(errs, "--by") {
		t.Fatalf("without audit: %d %s", code, errs)
	}
	if code, _, errs := cli("--tenant", "nb", "--by", "ops", "--reason", "test", "p1", "decision"); code != 1 || !strings.Contains(errs, "lfa") {
		t.Fatalf("cancelled deadline: %d %s", code, errs)
	}
	code, out, errs := cli("--tenant", "nb", "--by", "alice", "--reason", "Klärfall 42: LFA silent", "p1", "lfa")
	if code != 0 || !strings.Contains(out, "d-lfa") {
		t.Fatalf("fire: %d %s %s", code, out, errs)
	}
	cs, err := js.Stream(ctx, cmdwire.Stream)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := cs.GetLastMsgForSubject(ctx, cmdwire.Subject(id.Tenant, id.Process))
	if err != nil {
		t.Fatal(err)
	}
	a, err := cmdwire.Decode(msg.Subject, msg.Header, msg.Data)
	if err != nil {
		t.Fatal(err)
	}
	if a.Identity != id || a.CommandType != engine.EventDeadlineFired || a.CommandID != engine.FireCommandID("d-lfa") {
		t.Fatalf("command %+v", a)
	}
	f, err := cmdwire.DecodeFired(a.Body)
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != "d-lfa" || f.Label != "lfa" || !f.Due.Equal(due) || f.By != "alice" || f.Reason != "Klärfall 42: LFA silent" || f.FiredAt.IsZero() {
		t.Fatalf("fired %+v", f)
	}
}
