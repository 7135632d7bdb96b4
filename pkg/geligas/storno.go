package geligas

import (
	"slices"

	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// stornoIn answers a Stornierung 44022 of the request that started this
// process (ingest routes it here by its RFF+ACW), deterministically in
// order with the process's other commands:
//
//   - the request is already answered, or RFF+ACW names another
//     transaction: 44024 with CodeStornoLate;
//   - WithStornoAccept(false): 44024 with CodeStornoReject, the process
//     goes on;
//   - otherwise 44023 (CodeStornoConfirm) and the process ends as
//     cancelled: its deadlines (LFA answer, ERP decision) are cancelled,
//     the master data stay as they are; a 44010 the NB sent to the LFA and
//     that is still unanswered is cancelled with a 44022 of its own
//     (INTERPRETATION, docs/geligas.md).
//
// The answer's BGM is the category of the 44022 (AHB [500]).
func (f flow) stornoIn(x *dec, r *utilmdkit.Received) error {
	req := x.S.Request
	acw, _ := r.T.Reference("ACW")
	ev := StornoReceived{TransactionID: r.Tx.TransactionID, Sender: r.Tx.Sender, CancelTx: acw.Value, Category: r.V.Header.DocumentCode,
		Document: r.Doc, InterchangeRef: r.Tx.InterchangeRef, Late: x.S.Done, At: x.At}
	x.Emit(ev)
	own := r.Tx.Receiver
	if req == nil && x.S.Init != nil {
		own = x.S.Own
	}
	key, confirm := CodeStornoConfirm, true
	switch {
	case ev.Late || req == nil || acw.Value != req.TransactionID:
		key, confirm = CodeStornoLate, false
	case !f.cfg.stornoAccept:
		key, confirm = CodeStornoReject, false
	}
	uc, _ := useCaseOf(PIDStorno)
	rule := f.cfg.codes.get(key)
	m := outMsg{PID: uc.Reject, BGM: ev.Category, From: own, To: r.Tx.Sender, Reason: reasonStorno, Answer: rule.Code, List: uc.RejectList,
		Remark: rule.Remark, RefTN: r.Tx.TransactionID}
	if confirm {
		m.PID, m.List, m.Remark = uc.Confirm, uc.ConfirmList, ""
	}
	if _, err := f.send(x, m); err != nil {
		return err
	}
	if !confirm {
		return nil
	}
	if f.name == WorkflowNBLieferbeginn && x.S.LFATx != "" && !x.S.LFAAnswered && !x.S.LFAExpired {
		// INTERPRETATION: the Abmeldeanfrage of a cancelled Anmeldung is
		// cancelled too (44022, category E02 of the 44010), so that the LFA
		// does not end its supply for a switch that no longer happens. Its
		// answer reaches this process and is recorded.
		abm, _ := useCaseOf(PIDAbmeldeanfrage)
		if _, err := f.send(x, outMsg{PID: PIDStorno, BGM: abm.BGM, From: own, To: x.S.LFA, Reason: reasonStorno, RefACW: x.S.LFATx}); err != nil {
			return err
		}
	}
	for _, l := range []string{labelLFA, labelDecision} {
		if !slices.Contains(x.D.CancelDeadlines, l) {
			x.D.CancelDeadlines = append(x.D.CancelDeadlines, l)
		}
	}
	x.Emit(Completed{Outcome: OutcomeCancelled, PID: m.PID, Code: m.Answer, List: m.List, MaLo: x.S.MaLo, Date: x.S.Date})
	return nil
}
