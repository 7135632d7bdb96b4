package gpke

import "github.com/mako-engine/mako/pkg/utilmdkit"

// stornoIn answers a Stornierung 55022 of the request that started this
// process. On the NB side ingest routes a 55022 to the process that
// received the cancelled transaction (RFF+ACW, TransactionKey of its
// sender), so the cancelled process decides itself — deterministically,
// in order with the LFA's answers and its deadlines:
//
//   - the request is already answered (Completed/Failed): too late, 55024
//     with StornoCodes.Late (UNVERIFIED default A14, code list S_0087);
//   - the deployment refuses Stornierungen by default (WithStornoCodes
//     acceptByDefault = false): 55024 with StornoCodes.Reject, the process
//     goes on;
//   - otherwise 55023 with StornoCodes.Confirm (default A01, S_0086) and the
//     process ends as cancelled: its deadlines (LFA answer, ERP decision,
//     answer) are cancelled, the master data stay as they are; a later
//     answer of the LFA is acknowledged and ignored.
//
// A confirmed Stornierung of the NB's Anmeldung also cancels the Anfrage
// 55010 the NB sent the LFA if it is still unanswered (utilmdkit
// .RevokeAnfrage; INTERPRETATION, docs/gpke.md): a 55022 to the LFA with
// BGM E02 (the category of the 55010, AHB 55022 [500]), STS+7 E05 (the one
// Transaktionsgrund the FV2604/FV2610 AHB lists) and RFF+ACW = the 55010's
// transaction. The LFA's 55023/55024 reaches this process and is recorded.
func (f flow) stornoIn(x *dec, r *utilmdkit.Received) error {
	req := x.S.Request
	acw, _ := r.T.Reference("ACW")
	if err := f.ack(x, r, nil); err != nil {
		return err
	}
	late := x.S.Done
	ev := StornoReceived{TransactionID: r.Tx.TransactionID, Sender: r.Tx.Sender, CancelTx: acw.Value, Category: r.V.Header.DocumentCode,
		Document: r.Doc, InterchangeRef: r.Tx.InterchangeRef, Late: late, At: x.At}
	x.Emit(ev)
	uc, _ := useCaseOf(PIDStorno)
	m := outMsg{BGM: ev.Category, From: req.Receiver, To: r.Tx.Sender, Reason: []string{"E05"}, RefTN: r.Tx.TransactionID}
	switch {
	case late || acw.Value != req.TransactionID:
		m.PID, m.Answer, m.EBD = uc.Reject, f.cfg.storno.Late, f.cfg.storno.RejectList
	case !f.cfg.stornoAccept:
		m.PID, m.Answer, m.EBD = uc.Reject, f.cfg.storno.Reject, f.cfg.storno.RejectList
	default:
		m.PID, m.Answer, m.EBD = uc.Confirm, f.cfg.storno.Confirm, f.cfg.storno.ConfirmList
	}
	if _, err := f.send(x, m); err != nil {
		return err
	}
	if m.PID != uc.Confirm {
		return nil
	}
	anfrage := utilmdkit.OpenAnfrage{Tx: x.S.LFATx, LFA: x.S.LFA, Answered: x.S.LFAAnswered, Expired: x.S.LFAExpired}
	if err := utilmdkit.RevokeAnfrage(anfrage, func(lfa, tx string) error {
		_, err := f.send(x, outMsg{PID: PIDStorno, BGM: bgmOf(PIDAnfrageBeendigung), From: req.Receiver, To: lfa, Reason: []string{"E05"}, RefACW: tx})
		return err
	}); err != nil {
		return err
	}
	x.CancelDeadline(labelLFA, labelDecision, labelAnswer)
	x.Emit(Completed{Outcome: OutcomeCancelled, PID: m.PID, Code: m.Answer, EBD: m.EBD, MaLo: x.S.MaLo, Date: x.S.Date})
	return nil
}
