package readmodel_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
)

// Operator actions on mako.dlq.<tenant>.action are folded into their
// letter: once per action sequence, in sequence order, waiting for a
// letter they overtook, refusing malformed ones.
func TestDeadLetterActions(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p, err := readmodel.NewProjector(ctx, e.js, e.ec)
	if err != nil {
		t.Fatal(err)
	}
	letter, _ := json.Marshal(deadletter.Letter{Reason: deadletter.ReasonSyntax, Audit: deadletter.Audit{Tenant: "nb"}})
	action := func(a deadletter.Action) []byte {
		b, _ := json.Marshal(a)
		return b
	}
	assign := action(deadletter.Action{Letter: 3, Kind: deadletter.ActionAssign, Actor: "anna", At: "2026-12-06T10:00:00+01:00", Assignee: "bernd"})
	// The action (sequence 4) arrives before its letter (3): it waits.
	err = p.ProjectDeadLetter(ctx, deadletter.ActionSubject("nb"), 4, assign)
	if err == nil {
		t.Fatal("action before its letter applied")
	}
	if err := p.ProjectDeadLetter(ctx, "mako.dlq.nb", 3, letter); err != nil {
		t.Fatal(err)
	}
	redrive := action(deadletter.Action{Letter: 3, Kind: deadletter.ActionRedrive, Actor: "anna", At: "2026-12-06T10:05:00+01:00", Target: "MAKO_INGEST 9 mako.ingest.nb"})
	discard := action(deadletter.Action{Letter: 3, Kind: deadletter.ActionDiscard, Actor: "bernd", At: "2026-12-06T10:07:00+01:00", Reason: "erledigt"})
	// Out of order and repeated: the result follows the sequences.
	for _, m := range []struct {
		seq  uint64
		data []byte
	}{{7, discard}, {4, assign}, {5, redrive}, {4, assign}, {7, discard}} {
		if err := p.ProjectDeadLetter(ctx, deadletter.ActionSubject("nb"), m.seq, m.data); err != nil {
			t.Fatal(err)
		}
	}
	d, err := readmodel.NewStore(e.js).DeadLetter(ctx, "nb", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Actions) != 3 || d.Actions[0].Sequence != 4 || d.Actions[1].Kind != "redrive" || d.Actions[2].Reason != "erledigt" ||
		d.Status != readmodel.LetterDiscarded || d.Assignee != "bernd" || d.State() != readmodel.LetterDiscarded {
		b, _ := json.Marshal(d)
		t.Fatalf("letter %s", b)
	}
	// Malformed actions are permanent errors and change nothing.
	for _, bad := range [][]byte{[]byte("{"), action(deadletter.Action{Letter: 3, Kind: deadletter.ActionDiscard, Actor: "x", At: "now"}),
		action(deadletter.Action{Letter: 3, Kind: "delete", Actor: "x", At: "now"}), action(deadletter.Action{Letter: 3, Kind: deadletter.ActionAssign, At: "now"})} {
		if err := p.ProjectDeadLetter(ctx, deadletter.ActionSubject("nb"), 8, bad); err == nil {
			t.Errorf("malformed action %s applied", bad)
		}
	}
	if err := p.ProjectDeadLetter(ctx, deadletter.ActionSubject("nb"), 9, action(deadletter.Action{Letter: 12, Kind: deadletter.ActionAssign, Actor: "x", At: "now"})); err == nil {
		t.Error("action naming a later letter accepted")
	}
	if _, err := readmodel.NewStore(e.js).DeadLetter(ctx, "nb", 99); !errors.Is(err, readmodel.ErrNotFound) {
		t.Errorf("unknown letter: %v", err)
	}
	if tenant, ok := deadletter.IsActionSubject("mako.dlq.nb.action"); !ok || tenant != "nb" {
		t.Error("action subject not recognised")
	}
	for _, s := range []string{"mako.dlq.nb", "mako.dlq..action", "mako.dlq.a.b.action", "mako.evt.nb.action"} {
		if _, ok := deadletter.IsActionSubject(s); ok {
			t.Errorf("%s taken for an action subject", s)
		}
	}
}
