package gpke

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

// readModel commits gpke decisions through the engine on a real NATS and
// projects them into the process overviews.
type readModel struct {
	js    jetstream.JetStream
	ec    *engine.Engine
	proj  *readmodel.Projector
	store *readmodel.Store
}

func newReadModel(t *testing.T) *readModel {
	t.Helper()
	ctx := context.Background()
	_, js := natstest.Start(t).JetStream()
	if err := streams.Ensure(ctx, js); err != nil {
		t.Fatal(err)
	}
	st, err := natsstore.Open(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	ec, err := engine.New(engine.WithEventStore(st.Events), engine.WithWorkflows(Module().Definitions...))
	if err != nil {
		t.Fatal(err)
	}
	proj, err := readmodel.NewProjector(ctx, js, ec)
	if err != nil {
		t.Fatal(err)
	}
	return &readModel{js: js, ec: ec, proj: proj, store: readmodel.NewStore(js)}
}

// exec commits the command the pure proc pr ran last (same id, time and
// payload, so the same decision) to the process id and projects its
// commits.
func (rm *readModel) exec(t *testing.T, id engine.ProcessIdentity, pr *proc, at time.Time, payload engine.CommandData) {
	t.Helper()
	ctx := context.Background()
	cmd := pr.LastCommand
	if _, err := rm.ec.Execute(ctx, id, cmd); err != nil {
		t.Fatal(err)
	}
	s, err := rm.js.Stream(ctx, natsstore.DefaultEventStream)
	if err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); ; {
		m, err := s.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(id.Stream().Subject(natsstore.DefaultSubjectPrefix)))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := rm.proj.ProjectCommit(ctx, m.Subject, m.Sequence, m.Time, m.Header.Get(natsstore.HeaderSeq), m.Data); err != nil {
			t.Fatal(err)
		}
		seq = m.Sequence + 1
	}
}

// want checks the overview's state label (from the workflow) and PIDs.
func (rm *readModel) want(t *testing.T, id engine.ProcessIdentity, state string, pids ...string) {
	t.Helper()
	p, err := rm.store.Process(context.Background(), string(id.Tenant), string(id.Process))
	if err != nil {
		t.Fatal(err)
	}
	if p.State != state || p.StateSource != readmodel.StateFromWorkflow || !slices.Equal(p.PIDs, pids) {
		t.Fatalf("%s: state %q (%s), PIDs %v; want %q (workflow), %v", id.Process, p.State, p.StateSource, p.PIDs, state, pids)
	}
}

// TestProcessOverviewStates runs a supplier switch with an LFA that does
// not answer in time through the engine and the projector: the overviews
// of the LFN and NB processes show the gpke state labels and PIDs.
func TestProcessOverviewStates(t *testing.T) {
	rm := newReadModel(t)
	ident := func(tenant, process, wf string) engine.ProcessIdentity {
		return engine.ProcessIdentity{Tenant: engine.TenantID(tenant), Process: engine.ProcessID(process), Workflow: engine.WorkflowID{Name: wf, FormatVersion: mustFV(t0)}}
	}
	lfnID, nbID := ident("lfn", "switch-lfn", WorkflowLFNLieferbeginn), ident("nb", "switch-nb", WorkflowNBLieferbeginn)

	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	reg := reg(RegisterSupplyStart{RequestID: "erp-1", MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN, Customer: "Mustermann"})
	d := lfn.Exec(t0, reg)
	rm.exec(t, lfnID, lfn, t0, reg)
	rm.want(t, lfnID, utilmdkit.StateWaitingForAnswer, PIDAnmeldung)

	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	req := enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung)), mdNB())
	d = nb.Exec(t0.Add(time.Minute), req)
	rm.exec(t, nbID, nb, t0.Add(time.Minute), req)
	rm.want(t, nbID, utilmdkit.StateWaitingForLFA, PIDAnmeldung, PIDAnfrageBeendigung)

	// The LFA does not answer: the NB confirms to the LFN and ends the
	// LFA's assignment (55007, which leaves the label at confirmed).
	due := deadline(t, d, labelLFA)
	d = nb.FireAt(labelLFA, due)
	rm.exec(t, nbID, nb, due, Timeout{Label: labelLFA, Due: due})
	rm.want(t, nbID, OutcomeConfirmed, PIDAnmeldung, PIDAnfrageBeendigung, PIDAnmeldungBestaetig, PIDBeendigungNB)

	ans := deliver(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungBestaetig))
	lfn.Exec(due.Add(time.Minute), ans)
	rm.exec(t, lfnID, lfn, due.Add(time.Minute), ans)
	rm.want(t, lfnID, OutcomeConfirmed, PIDAnmeldung, PIDAnmeldungBestaetig)
}

// TestProjectionFieldsLabels checks the labels of the events that end a
// process or leave the label alone.
func TestProjectionFieldsLabels(t *testing.T) {
	for _, c := range []struct {
		ev   module.Projectable
		want string
	}{
		{Completed{Outcome: OutcomeRejected, PID: PIDAnmeldungAblehnung}, OutcomeRejected},
		{Failed{Outcome: OutcomeAperakRejected}, OutcomeAperakRejected},
		{Failed{}, OutcomeFailed},
		{DecisionRequested{PID: PIDAnfrageBeendigung}, utilmdkit.StateWaitingForDecision},
		{Sent{PID: PIDAnmeldungBestaetig, Code: "A51"}, ""},
		{Sent{PID: PIDBeendigungNB}, ""},
		{AnswerReceived{PID: PIDAnfrageBest}, ""},
	} {
		if got := c.ev.ProjectionFields().State; got != c.want {
			t.Errorf("%T %+v: state %q, want %q", c.ev, c.ev, got, c.want)
		}
	}
}
