package geligas

import (
	"context"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
	"github.com/mako-engine/mako/pkg/engine/memstore"
	"github.com/mako-engine/mako/pkg/fv"
)

// onEngine returns a process of workflow name on the in-memory engine.
func onEngine(t *testing.T, name string, opts ...Option) (*enginetest.Process[State], context.Context) {
	t.Helper()
	ws, err := Workflows(opts...)
	if err != nil {
		t.Fatal(err)
	}
	var w flow
	for _, x := range ws {
		if x.Name() == name {
			w = x.(flow)
		}
	}
	def := engine.Define[State](w, fv.MustParse("FV2610"))
	inbox, err := memstore.NewInbox()
	if err != nil {
		t.Fatal(err)
	}
	ec, err := engine.New(engine.WithEventStore(memstore.NewEventStore()), engine.WithSnapshotStore(memstore.NewSnapshotStore()),
		engine.WithRegistry(memstore.NewRegistry()), engine.WithInbox(inbox), engine.WithWorkflows(def))
	if err != nil {
		t.Fatal(err)
	}
	p, err := enginetest.Spawn(def, ec, "nb")
	if err != nil {
		t.Fatal(err)
	}
	return p, context.Background()
}

// TestEngineRoundTrip runs the NB's Lieferbeginn through the engine on
// memstore: the events round-trip through the codec (the state is replayed
// from the store), the LFA and APERAK deadlines are committed, the LFA
// deadline fired by the engine confirms the Anmeldung and informs the LFA.
func TestEngineRoundTrip(t *testing.T) {
	p, ctx := onEngine(t, WorkflowNBLieferbeginn)
	e := enriched(deliver(t, anmeldung(t, t0, start)), nbMD())
	res, err := p.ExecuteWithContext(ctx, engine.Command{ID: "cmd-1", ReceivedAt: t0, FormatVersion: fv.MustParse("FV2610"), Payload: e})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Envelopes) == 0 {
		t.Fatal("nothing committed")
	}
	open, err := p.OpenDeadlines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var lfa engine.DeadlineFired
	aperaks := 0
	for _, d := range open {
		switch {
		case d.Label == labelLFA:
			lfa = engine.DeadlineFired{ID: d.ID, Label: d.Label, Due: d.Due, FiredAt: d.Due}
		case len(d.Label) > len(labelAperak) && d.Label[:len(labelAperak)] == labelAperak:
			aperaks++
		}
	}
	if lfa.ID == "" || aperaks != 2 {
		t.Fatalf("deadlines %+v", open)
	}
	if _, err := p.FireDeadline(ctx, lfa); err != nil {
		t.Fatal(err)
	}
	s, _, err := p.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Done || s.Outcome != OutcomeConfirmed || !s.LFAExpired || len(s.Out) != 4 || s.Request.MasterData.Location == nil {
		t.Fatalf("state: done %v outcome %s expired %v out %d", s.Done, s.Outcome, s.LFAExpired, len(s.Out))
	}
}

// TestEngineDecision: the LFA's Kündigung waits for the ERP on the engine;
// Decide (a command of the codec) answers; the decided state replays.
func TestEngineDecision(t *testing.T) {
	p, ctx := onEngine(t, WorkflowLFAKuendigung)
	d := newParty(t, "lfn").start(WorkflowLFNKuendigung).exec(t0, termin)
	e := enriched(deliver(t, out(t, d, mpLFA, "UTILMD", PIDKuendigung)), lfaMD)
	if _, err := p.ExecuteWithContext(ctx, engine.Command{ID: "k-1", ReceivedAt: t0, FormatVersion: fv.MustParse("FV2610"), Payload: e}); err != nil {
		t.Fatal(err)
	}
	s, _, err := p.State(ctx)
	if err != nil || !s.DecisionPending {
		t.Fatalf("%+v %v", s, err)
	}
	if _, err := p.ExecuteWithContext(ctx, engine.Command{ID: "k-2", ReceivedAt: t0.Add(60e9), Payload: Decide{Partner: mpLFN, TransactionID: s.Request.TransactionID, End: gas(2027, 2, 1)}}); err != nil {
		t.Fatal(err)
	}
	if s, _, err = p.State(ctx); err != nil || s.Outcome != OutcomeConfirmed || s.Decision == nil || s.Decision.Code != "Z01" || !s.Decision.End.Equal(gas(2027, 2, 1)) {
		t.Fatalf("%+v %v", s.Decision, err)
	}
}
