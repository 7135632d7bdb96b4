package deadletter_test

import (
	"context"
	"testing"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/nats-io/nats.go/jetstream"
)

func TestActionSubject(t *testing.T) {
	if got := deadletter.ActionSubject("nb"); got != "mako.dlq.nb.action" {
		t.Fatalf("ActionSubject = %q", got)
	}
	if tn, ok := deadletter.IsActionSubject("mako.dlq.nb.action"); !ok || tn != "nb" {
		t.Fatalf("IsActionSubject = %q, %v", tn, ok)
	}
	for _, s := range []string{"mako.dlq.nb", "mako.dlq..action", "mako.dlq.a.b.action", "mako.outbox.nb.action"} {
		if _, ok := deadletter.IsActionSubject(s); ok {
			t.Errorf("IsActionSubject(%q) = true", s)
		}
	}
}

// TestActionMsgDedup: a repeated submit of the same action is stored once;
// another action at the same point (another assignee) is not taken for a
// repeat; an invalid action gives no message.
func TestActionMsgDedup(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: deadletter.Stream, Subjects: []string{deadletter.SubjectPrefix + ".>"}})
	if err != nil {
		t.Fatal(err)
	}
	a := deadletter.Action{Letter: 7, Kind: deadletter.ActionAssign, Actor: "anna", At: "2026-12-06T10:00:00+01:00", Assignee: "bernd"}
	publish := func(a deadletter.Action, prior int) {
		t.Helper()
		msg, err := deadletter.ActionMsg("nb", a, prior)
		if err != nil {
			t.Fatal(err)
		}
		if msg.Header.Get(deadletter.HeaderAction) != string(a.Kind) || msg.Header.Get(deadletter.HeaderTenant) != "nb" {
			t.Fatalf("headers %v", msg.Header)
		}
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	publish(a, 0)
	again := a
	again.At = "2026-12-06T10:00:02+01:00" // the same form sent twice
	publish(again, 0)
	other := a
	other.Assignee = "clara"
	publish(other, 0)
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 2 {
		t.Fatalf("%d action messages, want 2 (one repeat dropped, another assignee kept)", info.State.Msgs)
	}
	m, err := st.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := deadletter.DecodeAction(m.Data)
	if err != nil || got != a || m.Subject != deadletter.ActionSubject("nb") {
		t.Fatalf("stored %+v on %s, %v; want %+v", got, m.Subject, err, a)
	}
	if _, err := deadletter.ActionMsg("nb", deadletter.Action{Letter: 7, Kind: deadletter.ActionDiscard, Actor: "anna", At: a.At}, 1); err == nil {
		t.Fatal("discard without reason encoded")
	}
}
