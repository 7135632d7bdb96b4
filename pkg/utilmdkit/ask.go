package utilmdkit

import (
	"time"

	"github.com/mako-engine/mako/pkg/engine"
)

// AskERP is the ERP hook of a family's policy steps (its WithERPDecision):
// at the steps of which received request PIDs the answering workflow asks
// the ERP (DecisionRequested) and how long it waits for Decide before the
// default verdict applies. The zero value never asks.
type AskERP struct {
	wait time.Duration
	pids map[string]bool
}

// NewAskERP returns the hook asking at the steps of pids and waiting
// wait; a wait ≤ 0 (or no PIDs) never asks.
func NewAskERP(wait time.Duration, pids ...string) AskERP {
	a := AskERP{wait: wait, pids: map[string]bool{}}
	for _, p := range pids {
		a.pids[p] = true
	}
	return a
}

// Due returns the deadline of the ERP's Decide on a request pid received
// at, and false when the step is not asked.
func (a AskERP) Due(pid string, at time.Time) (time.Time, bool) {
	if a.wait <= 0 || !a.pids[pid] {
		return time.Time{}, false
	}
	return at.Add(a.wait), true
}

// AwaitDecision sets the deadline label of the ERP's Decide at due and
// binds key, under which the ERP transport routes the Decide to the
// process (the family's DecisionKey).
func (x *Decision[S]) AwaitDecision(label string, due time.Time, key engine.BusinessKey) {
	x.D.SetDeadlines = append(x.D.SetDeadlines, engine.DeadlineRequest{Label: label, Due: due})
	x.D.Correlate = append(x.D.Correlate, key)
}
