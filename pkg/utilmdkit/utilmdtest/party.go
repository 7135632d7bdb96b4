package utilmdtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
	"github.com/mako-engine/mako/pkg/engine/memstore"
	"github.com/mako-engine/mako/pkg/fv"
)

// Party is one market party running a family's workflows in a unit test:
// pure Handle + Apply, no store, one Proc per process. Every decision is
// checked and logged (CheckDecision). Command ids are "<name>-<n>".
type Party[S any] struct {
	T    testing.TB
	Name string
	wfs  map[string]engine.Workflow[S]
	log  *Log
	// versionless reports the commands that carry no format version (the
	// workflow takes the one in force at their time).
	versionless func(engine.CommandData) bool
	n           int
}

// NewParty returns a party running wfs whose decisions are checked and
// recorded in log; versionless (nil: none) reports the commands the
// pipeline delivers without a format version — a fired deadline, an ERP
// command — as opposed to a received message.
func NewParty[S any](t testing.TB, name string, wfs []engine.Workflow[S], log *Log, versionless func(engine.CommandData) bool) *Party[S] {
	t.Helper()
	p := &Party[S]{T: t, Name: name, wfs: map[string]engine.Workflow[S]{}, log: log, versionless: versionless}
	for _, w := range wfs {
		p.wfs[w.Name()] = w
	}
	return p
}

// Start begins a process of the named workflow (the test fails for an
// unknown one).
func (p *Party[S]) Start(workflow string) *Proc[S] {
	p.T.Helper()
	w, ok := p.wfs[workflow]
	if !ok {
		p.T.Fatalf("no workflow %s", workflow)
	}
	return &Proc[S]{P: p, WF: w, S: w.Initial(), Deadlines: map[string]time.Time{}}
}

// Proc is one running process of a Party: its state and what its
// decisions did so far.
type Proc[S any] struct {
	P  *Party[S]
	WF engine.Workflow[S]
	// S is the state after the decisions so far.
	S S
	// Last is the last decision, LastCommand the command it decided.
	Last        engine.Decision
	LastCommand engine.Command
	// All are the events, Keys the business keys of all decisions so far.
	All  []engine.EventData
	Keys []engine.BusinessKey
	// Deadlines are the pending deadlines by label (set and not cancelled).
	Deadlines map[string]time.Time
}

// Exec runs one command received at at and folds its events; an error
// fails the test.
func (pr *Proc[S]) Exec(at time.Time, payload engine.CommandData) engine.Decision {
	pr.P.T.Helper()
	d, err := pr.Try(at, payload)
	if err != nil {
		pr.P.T.Fatalf("%s %s: %v", pr.P.Name, pr.WF.Name(), err)
	}
	return d
}

// Try is Exec returning the workflow's error (the state is unchanged then).
func (pr *Proc[S]) Try(at time.Time, payload engine.CommandData) (engine.Decision, error) {
	pr.P.T.Helper()
	pr.P.n++
	v, _ := fv.Resolve(at)
	cmd := engine.Command{ID: engine.CommandID(fmt.Sprintf("%s-%d", pr.P.Name, pr.P.n)), Type: payload.CommandType(), ReceivedAt: at.UTC(), FormatVersion: v, Payload: payload}
	if pr.P.versionless != nil && pr.P.versionless(payload) {
		cmd.FormatVersion = fv.Version{}
	}
	d, err := pr.WF.Handle(pr.S, cmd)
	if err != nil {
		return d, err
	}
	for _, e := range d.Events {
		pr.S = pr.WF.Apply(pr.S, engine.Event{Data: e})
	}
	pr.Last, pr.LastCommand = d, cmd
	pr.All = append(pr.All, d.Events...)
	pr.Keys = append(pr.Keys, d.Correlate...)
	for _, l := range d.CancelDeadlines {
		delete(pr.Deadlines, l)
	}
	for _, r := range d.SetDeadlines {
		pr.Deadlines[r.Label] = r.Due
	}
	CheckDecision(pr.P.T, d, at, pr.P.log)
	return d, nil
}

// FireAt fires the deadline with label at due (the workflow must be an
// engine.DeadlineHandler) and executes its command.
func (pr *Proc[S]) FireAt(label string, due time.Time) engine.Decision {
	pr.P.T.Helper()
	h, ok := pr.WF.(engine.DeadlineHandler[S])
	if !ok {
		pr.P.T.Fatalf("%s handles no deadlines", pr.WF.Name())
	}
	c, err := h.OnDeadline(pr.S, engine.DeadlineFired{Label: label, Due: due, FiredAt: due})
	if err != nil {
		pr.P.T.Fatal(err)
	}
	delete(pr.Deadlines, label)
	return pr.Exec(due, c)
}

// Fire fires the pending deadline with label at its due time (the test
// fails if none is pending).
func (pr *Proc[S]) Fire(label string) engine.Decision {
	pr.P.T.Helper()
	due, ok := pr.Deadlines[label]
	if !ok {
		pr.P.T.Fatalf("no pending deadline %s (have %v)", label, pr.Deadlines)
	}
	return pr.FireAt(label, due)
}

// OnEngine returns a process of workflow w, defined for format version v,
// on an engine over the in-memory stores (pkg/engine/memstore), for tests
// of the codec round trip and of deadlines the engine sets and fires.
func OnEngine[S any](t testing.TB, w engine.Workflow[S], v fv.Version, tenant engine.TenantID) (*enginetest.Process[S], context.Context) {
	t.Helper()
	def := engine.Define[S](w, v)
	inbox, err := memstore.NewInbox()
	if err != nil {
		t.Fatal(err)
	}
	ec, err := engine.New(engine.WithEventStore(memstore.NewEventStore()), engine.WithSnapshotStore(memstore.NewSnapshotStore()),
		engine.WithRegistry(memstore.NewRegistry()), engine.WithInbox(inbox), engine.WithWorkflows(def))
	if err != nil {
		t.Fatal(err)
	}
	p, err := enginetest.Spawn(def, ec, tenant)
	if err != nil {
		t.Fatal(err)
	}
	return p, context.Background()
}
