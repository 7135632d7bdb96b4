package geligas

import (
	"time"

	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// requestFacts reads a request transaction, records it (RequestReceived)
// and returns the AHB problems of the fields the decision needs: Z29 for a
// missing MaLo or date, Z35 for a malformed MaLo-ID, Z29 for a date that is
// no Gastag boundary (DTM+92/93 [UB2]: 06:00 German local time). dateQ is
// the DTM qualifier of the requested date ("92", "93", "" none).
func (f flow) requestFacts(x *dec, r *utilmdkit.Received, md *MasterData, dateQ string) []aperak.Problem {
	var problems []aperak.Problem
	gastag, _ := fristen.Gastag(x.Cmd.ReceivedAt)
	rr := RequestReceived{Workflow: f.name, PID: r.Tx.PID, TransactionID: r.Tx.TransactionID, Sender: r.Tx.Sender,
		Receiver: r.Tx.Receiver, Document: r.Doc, InterchangeRef: r.Tx.InterchangeRef, ReceivedAt: x.Cmd.ReceivedAt.UTC(),
		Gastag: gastag.UTC(), FV: x.FV.String(), MasterData: md, Category: r.V.Header.DocumentCode, Reason: statusReason(r.T),
		BalanceEnd: dateOf(r.T, "159")}
	for _, s := range r.T.Segments {
		switch {
		case s.Is("NAD", "Z09"):
			rr.CustomerName = nil
			for c := 0; c < 6; c++ {
				rr.CustomerName = append(rr.CustomerName, s.Value(3, c))
			}
		case s.Is("NAD", "VY"):
			rr.NewSupplier = s.Value(1, 0)
		case s.Is("CCI", "Z19"):
			rr.BalanceGroup = s.Value(2, 0)
		case s.Is("DTM", "Z20"):
			rr.BillingMonths = atoi(s.Value(0, 1))
		}
	}
	if ref, ok := r.T.Reference("ACW"); ok {
		rr.CancelTx = ref.Value
	}
	if r.Tx.PID == PIDEoG {
		if l, err := readLocation(r.T); err == nil {
			rr.Location = &l
		}
	}
	if r.Tx.PID == PIDStorno {
		if rr.CancelTx == "" {
			problems = append(problems, aperak.Problem{Code: "Z29", Location: &aperak.Location{Name: "Referenz auf zu stornierende Vorgangsnummer"}})
		}
	} else {
		id, ok := maloOf(r.T)
		rr.MaLo = id
		switch {
		case !ok || id == "":
			problems = append(problems, aperak.Problem{Code: "Z29", Location: &aperak.Location{Name: "Meldepunkt"}})
		case ident.ValidateMaLo(id) != nil:
			problems = append(problems, aperak.Problem{Code: "Z35", Content: id, Location: &aperak.Location{Name: "Meldepunkt"}})
		}
	}
	if dateQ != "" {
		t := dateOf(r.T, dateQ)
		name := "Beginn zum"
		if dateQ == "93" {
			name = "Ende zum"
		}
		switch {
		case t.IsZero():
			problems = append(problems, aperak.Problem{Code: "Z29", Location: &aperak.Location{Name: name}})
		case !fristen.IsGastagLimit(t):
			problems = append(problems, aperak.Problem{Code: "Z29", Text: "kein Gastag-Beginn (06:00 Uhr deutscher Zeit)", Location: &aperak.Location{Name: name}})
		}
		rr.Date = t
	}
	if md != nil && md.MaLo == "" {
		md.MaLo = rr.MaLo
	}
	x.Emit(rr)
	// A Stornierung of this request finds the process under the key of the
	// transaction's sender (ingest: RFF+ACW).
	x.D.Correlate = append(x.D.Correlate, inbound.TransactionKey(r.Tx.Sender, r.Tx.TransactionID))
	return problems
}

// checkRequest runs the Gas APERAK duty of a request: the AHB facts; on a
// problem it sends the error APERAK and ends the process. It reports
// whether the request is processable. (Silence is the positive answer.)
func (f flow) checkRequest(x *dec, r *utilmdkit.Received, md *MasterData, dateQ string) (bool, error) {
	problems := f.requestFacts(x, r, md, dateQ)
	if len(problems) == 0 {
		return true, nil
	}
	if err := f.ack(x, r, problems); err != nil {
		return false, err
	}
	x.Emit(Failed{Outcome: OutcomeAperakRejected, Reason: "request " + r.Tx.PID + " " + r.Tx.TransactionID + " rejected by APERAK " + problems[0].Code, MaLo: x.S.MaLo})
	return false, nil
}

// nbAnmeldung answers an Anmeldung 44001: E_3005 (direct rejection; the
// identification checks first, as its remark demands), E_3006 (is an
// Abmeldeanfrage needed), then E_3007 (nbDecide).
func (f flow) nbAnmeldung(x *dec, r *utilmdkit.Received, md *MasterData) error {
	if md == nil {
		return r.Failed(f.name, ErrNoMasterData)
	}
	ok, err := f.checkRequest(x, r, md, "92")
	if err != nil || !ok {
		return err
	}
	req, start := x.S.Request, x.S.Date
	switch {
	case !md.Known || (!md.InGrid && md.SuccessorNB == ""):
		return f.nbAnswerLFN(x, false, CodeAnmeldungNotFound, "")
	case !md.InGrid:
		return f.nbAnswerLFN(x, false, CodeAnmeldungOtherNB, md.SuccessorNB)
	case !f.leadTimeOK(req, start):
		return f.nbAnswerLFN(x, false, CodeAnmeldungLeadTime, "")
	case md.PendingRegistration:
		return f.nbAnswerLFN(x, false, CodeAnmeldungPending, "")
	}
	// E_3006 (no rows; "no answer is given"): INTERPRETATION — an
	// Abmeldeanfrage is needed iff another LF is assigned on the Gastag
	// before the Lieferbeginn. The NB then informs the LFN about the
	// existing assignment (44036, step 2 of the AHB's sequence diagram
	// "Lieferbeginn") and asks the LFA (44010, step 3).
	if md.Supplier == "" || md.Supplier == r.Tx.Sender {
		return f.nbDecide(x)
	}
	own := r.Tx.Receiver
	if _, err := f.send(x, outMsg{PID: PIDInfoZuordnung, From: own, To: r.Tx.Sender, Reason: reasonInfoZuordnung, MaLo: x.S.MaLo,
		RefTN: req.TransactionID, Party: md.Supplier}); err != nil {
		return err
	}
	// 44010 (AHB): DTM+93 = the Lieferbeginn, STS+7 as in the Anmeldung
	// ([644]), NAD+Z09 the customer name of the Anmeldung ([572]), NAD+VY the
	// LFN ([567]).
	if _, err := f.send(x, outMsg{PID: PIDAbmeldeanfrage, From: own, To: md.Supplier, End: start, Reason: req.Reason, MaLo: x.S.MaLo,
		Customer: req.CustomerName, Party: r.Tx.Sender}); err != nil {
		return err
	}
	due := f.cfg.gas.LFAAnswerDue(x.At)
	if due.Before(x.At) {
		due = x.At
	}
	x.D.SetDeadlines = append(x.D.SetDeadlines, deadlineAt(labelLFA, due))
	return nil
}

// leadTimeOK is the lead-time step of E_3005: a Wechsel (E03, ZD2) needs
// the GeLi Gas lead time (fristen.GeLiGas, UNVERIFIED 10 WT); an Ein-/Auszug
// (E01, E02) may start up to 42 days back (fristen.md §5.5, UNVERIFIED).
func (f flow) leadTimeOK(req *RequestReceived, start time.Time) bool {
	switch req.Reason {
	case reasonEinAuszug, reasonEinzugNeu:
		return !start.Before(f.cfg.gas.EarliestMoveIn(req.ReceivedAt))
	}
	return f.cfg.gas.AllowsStart(req.ReceivedAt, start, false)
}

// nbAnswer handles the LFA's answer 44011/44012 to the NB's 44010.
func (f flow) nbAnswer(x *dec, o Outgoing, ar AnswerReceived) error {
	if o.PID != PIDAbmeldeanfrage {
		x.Emit(ar, Noted{What: "answer " + ar.PID + " to " + o.PID + " " + o.TransactionID + " not expected"})
		return nil
	}
	late := x.S.Done || x.S.LFAExpired || x.S.LFAAnswered
	ar.Timely = !late
	x.Emit(ar)
	if late {
		x.Emit(Noted{What: "late answer " + ar.PID + " of the LFA to " + o.TransactionID})
		return nil
	}
	x.D.CancelDeadlines = append(x.D.CancelDeadlines, labelLFA)
	return f.nbDecide(x)
}

// nbDecide walks E_3007 once the LFA's answer is in, its time is up, or no
// Abmeldeanfrage was needed: the LFA's rejection rejects the Anmeldung (Z35
// with the LFA's code in STS+Z35 and the LFA in NAD+VY, AHB [84]); otherwise
// the NB confirms (44002) and, when the LFA did not answer in time, tells it
// that its assignment ends (44037, INTERPRETATION of step 6 of the sequence
// diagram "Lieferbeginn": the LFA that confirmed with 44011 knows its end
// already).
func (f flow) nbDecide(x *dec) error {
	if x.S.LFATx != "" && x.S.LFAAnswered && x.S.LFAObjected {
		return f.nbAnswerLFN(x, false, CodeAnmeldungLFARejected, x.S.LFA)
	}
	md := derefMD(x.S.Request.MasterData)
	if md.Location == nil {
		x.Emit(Failed{Outcome: OutcomeFailed, Reason: "Anmeldung " + x.S.Request.TransactionID + " cannot be confirmed: no gas master data (Location) of MaLo " + x.S.MaLo, MaLo: x.S.MaLo})
		return nil
	}
	if err := md.Location.Validate(); err != nil {
		x.Emit(Failed{Outcome: OutcomeFailed, Reason: "Anmeldung " + x.S.Request.TransactionID + " cannot be confirmed: master data of MaLo " + x.S.MaLo + ": " + err.Error(), MaLo: x.S.MaLo})
		return nil
	}
	if err := f.nbAnswerLFN(x, true, CodeAnmeldungConfirm, ""); err != nil {
		return err
	}
	own := x.S.Own
	x.Emit(SupplierAssigned{MaLo: x.S.MaLo, Supplier: x.S.Partner, NB: own, From: x.S.Date})
	if x.S.LFATx != "" && x.S.LFAExpired {
		if _, err := f.send(x, outMsg{PID: PIDInfoBeendigung, From: own, To: x.S.LFA, End: x.S.Date, BalanceEnd: x.S.Date, Reason: reasonInfoBeendigung, MaLo: x.S.MaLo}); err != nil {
			return err
		}
	}
	if x.S.LFATx != "" && !x.S.LFAObjected {
		x.Emit(SupplyEnded{MaLo: x.S.MaLo, Supplier: x.S.LFA, NB: own, Until: x.S.Date})
	}
	return nil
}

// nbAnswerLFN sends 44002/44003 to the LFN and completes. The confirmation
// carries the NB's master data (Location) with the LFN's Bilanzkreis and
// Abrechnungsintervall of the Anmeldung; the rejection the Transaktionsgrund,
// the code, the MaLo unless the code drops it ([362]), DTM+Z07/Z08 for ZC5
// ([36]), STS+Z35 and NAD+VY (the LFA) for Z35 ([84]) or NAD+VY (the
// succeeding NB) for A04 ([367]).
func (f flow) nbAnswerLFN(x *dec, confirm bool, key, party string) error {
	req := x.S.Request
	uc, _ := useCaseOf(PIDAnmeldung)
	rule := f.cfg.codes.get(key)
	pid, outcome, list := uc.Reject, OutcomeRejected, uc.RejectList
	if confirm {
		pid, outcome, list = uc.Confirm, OutcomeConfirmed, uc.ConfirmList
	}
	md := derefMD(req.MasterData)
	m := outMsg{PID: pid, From: x.S.Own, To: x.S.Partner, Reason: req.Reason, Answer: rule.Code, List: list, Remark: rule.Remark,
		RefTN: req.TransactionID, MaLo: x.S.MaLo, Party: party}
	switch {
	case confirm:
		l := *md.Location
		if len(req.CustomerName) > 0 && req.CustomerName[0] != "" { // NAD+Z09: the name of the Anmeldung ([572])
			l.Customer, l.CustomerFirst, l.CustomerCompany = req.CustomerName[0], req.CustomerName[1], req.CustomerName[5] == "Z02"
		}
		m.Start, m.BalanceStart, m.MeLo, m.Location = x.S.Date, x.S.Date, l.MeLo, &l
		m.BillingMonths, m.BalanceGroup = req.BillingMonths, req.BalanceGroup
	case rule.Code == answerNotFound || rule.Code == answerNotFoundA17:
		m.MaLo = "" // AHB 44003 [362]
	}
	if rule.Code == answerPending { // [36]
		m.Processing, m.NextProcessing = md.PendingStart, md.NextProcessing
		// UNVERIFIED defaults where the master data have none: the Lieferbeginn
		// in process is unknown to the registry lookup, so the requested one
		// is named; the next processing is the next Werktag (06:00).
		if m.Processing.IsZero() {
			m.Processing = x.S.Date
		}
		if m.NextProcessing.IsZero() {
			m.NextProcessing, _ = fristen.StromToGas(f.cfg.cal.NextWerktag(fristen.GasDate(x.Cmd.ReceivedAt)))
		}
	}
	if rule.Code == answerLFARejected { // [84]
		m.Third = x.S.LFACode
	}
	if _, err := f.send(x, m); err != nil {
		return err
	}
	x.Emit(Completed{Outcome: outcome, PID: pid, Code: rule.Code, List: list, MaLo: x.S.MaLo, Date: x.S.Date})
	return nil
}

// nbAbmeldung answers an Abmeldung 44004 by E_3019 (INTERPRETATION, the EBD
// has no rows): the end must not be recorded already
// (CodeAbmeldungAlready), the sender must be the LF assigned on the Gastag
// before the end (CodeAbmeldungNotSupplier); otherwise 44005. A confirmed
// Auszug (E01) cancels a future assignment of another LF (44038 ZG9 with
// the LFA as the triggering party, AHB [571]).
func (f flow) nbAbmeldung(x *dec, r *utilmdkit.Received, md *MasterData) error {
	if md == nil {
		return r.Failed(f.name, ErrNoMasterData)
	}
	ok, err := f.checkRequest(x, r, md, "93")
	if err != nil || !ok {
		return err
	}
	end, req := x.S.Date, x.S.Request
	key, confirm := CodeAbmeldungConfirm, true
	switch {
	case md.ConfirmedEnd:
		key, confirm = CodeAbmeldungAlready, false
	case !md.Known || md.Supplier != r.Tx.Sender:
		key, confirm = CodeAbmeldungNotSupplier, false
	}
	uc, _ := useCaseOf(PIDAbmeldung)
	rule := f.cfg.codes.get(key)
	pid, outcome, list := uc.Reject, OutcomeRejected, uc.RejectList
	m := outMsg{From: x.S.Own, To: x.S.Partner, Reason: req.Reason, Answer: rule.Code, Remark: rule.Remark, MaLo: x.S.MaLo, RefTN: req.TransactionID}
	if confirm {
		pid, outcome, list = uc.Confirm, OutcomeConfirmed, uc.ConfirmList
		m.End, m.BalanceEnd = end, end
	}
	m.PID, m.List = pid, list
	if _, err := f.send(x, m); err != nil {
		return err
	}
	x.Emit(Completed{Outcome: outcome, PID: pid, Code: rule.Code, List: list, MaLo: x.S.MaLo, Date: end})
	if !confirm {
		return nil
	}
	x.Emit(SupplyEnded{MaLo: x.S.MaLo, Supplier: x.S.Partner, NB: x.S.Own, Until: end})
	if req.Reason == reasonEinAuszug && md.FutureSupplier != "" && !md.FutureStart.Before(end) {
		if _, err := f.send(x, outMsg{PID: PIDInfoAufhebung, From: x.S.Own, To: md.FutureSupplier, Start: md.FutureStart, Reason: reasonAufhebung,
			MaLo: x.S.MaLo, Party: r.Tx.Sender}); err != nil {
			return err
		}
		x.Emit(AssignmentRevoked{MaLo: x.S.MaLo, Supplier: md.FutureSupplier, From: md.FutureStart})
	}
	return nil
}

func derefMD(md *MasterData) MasterData {
	if md == nil {
		return MasterData{}
	}
	return *md
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
