package geligas

import "github.com/mako-engine/mako/pkg/utilmdkit"

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
//     (utilmdkit.RevokeAnfrage; INTERPRETATION, docs/geligas.md).
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
	if f.name == WorkflowNBLieferbeginn {
		// INTERPRETATION (utilmdkit.RevokeAnfrage): the Abmeldeanfrage of a
		// cancelled Anmeldung is cancelled too (44022, category E02 of the
		// 44010), so that the LFA does not end its supply for a switch that
		// no longer happens. Its answer reaches this process and is
		// recorded (stornoAnswer).
		anfrage := utilmdkit.OpenAnfrage{Tx: x.S.LFATx, LFA: x.S.LFA, Answered: x.S.LFAAnswered, Expired: x.S.LFAExpired}
		if err := utilmdkit.RevokeAnfrage(anfrage, func(lfa, tx string) error {
			_, err := f.send(x, outMsg{PID: PIDStorno, BGM: bgmOf(PIDAbmeldeanfrage), From: own, To: lfa, Reason: reasonStorno, RefACW: tx})
			return err
		}); err != nil {
			return err
		}
	}
	x.CancelDeadline(labelLFA, labelDecision)
	x.Emit(Completed{Outcome: OutcomeCancelled, PID: m.PID, Code: m.Answer, List: m.List, MaLo: x.S.MaLo, Date: x.S.Date})
	return nil
}

// cancelOwn sends the Stornierung 44022 of a transaction this process sent
// (ERP geligas.request_cancellation, routed here by the transaction's key,
// utilmdkit.RouteCancellation): BGM = the category of the cancelled message
// (AHB 44022 [500]; utilmdkit.OwnStorno.Resolve), STS+7 E05, RFF+ACW = the
// transaction. The answer comes back to this process (stornoAnswer). A
// transaction the process did not send, a 44022 of its own or another
// recipient than the cancelled transaction's is refused with a note and
// nothing is sent.
func (f flow) cancelOwn(x *dec, p RequestCancellation) error {
	c := utilmdkit.OwnStornoOf(p, PIDStorno, x.S.sentTo, bgmOf)
	return c.Send(func(note string) { x.Emit(Noted{What: note}) }, func(category string) error {
		_, err := f.send(x, outMsg{PID: PIDStorno, BGM: category, From: p.Sender, To: c.Recipient, Reason: reasonStorno, RefACW: p.TransactionID})
		return err
	})
}

// stornoAnswer records the answer 44023/44024 to a 44022 the process sent
// (cancelOwn, or the NB's revocation of its 44010). A 44023 confirming the
// Stornierung of the process's own request (utilmdkit.CancelsOwnRequest:
// the first transaction of an ERP-started process, e.g. the LFN's 44001)
// ends the process as cancelled; a later answer to the cancelled request
// (44002/44003, 44036) is recorded and changes nothing (senderAnswer; Gas
// sends no positive APERAK, so nothing is sent). A 44024 leaves the
// process waiting for the answer to its request.
func (f flow) stornoAnswer(x *dec, o Outgoing, ar AnswerReceived) error {
	ar.Timely = true
	x.Emit(ar)
	uc, _ := useCaseOf(PIDStorno)
	first := ""
	if len(x.S.Out) > 0 {
		first = x.S.Out[0].TransactionID
	}
	if ar.PID != uc.Confirm || x.S.Done || !utilmdkit.CancelsOwnRequest(x.S.Init != nil, first, o.CancelTx) {
		return nil
	}
	x.Emit(Completed{Outcome: OutcomeCancelled, PID: ar.PID, Code: ar.Code, List: ar.List, MaLo: x.S.MaLo, Date: x.S.Date})
	return nil
}
