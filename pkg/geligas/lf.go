package geligas

import (
	"fmt"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// verdict is the outcome of an EBD walk on the answering side: a fixed
// answer, or a policy step with the answer-code keys of both verdicts.
type verdict struct {
	step       string
	fixed      bool
	object     bool
	key        string
	objectKey  string
	consentKey string
}

func fixed(step string, object bool, key string) verdict {
	return verdict{step: step, fixed: true, object: object, key: key}
}

func policy(step, objectKey, consentKey string) verdict {
	return verdict{step: step, objectKey: objectKey, consentKey: consentKey}
}

// lfRequest answers the requests an LF receives — 44010 (E_3020), 44007
// (E_3002), 44013 (E_3008), 44016 (E_3001) — and a 44022 that reached a
// Stornierung process of its own.
func (f flow) lfRequest(x *dec, r *utilmdkit.Received, md *MasterData) error {
	if md == nil && r.Tx.PID != PIDStorno {
		return r.Failed(f.name, ErrNoMasterData)
	}
	dateQ := "93"
	switch r.Tx.PID {
	case PIDEoG:
		dateQ = "92"
	case PIDStorno:
		dateQ = ""
	}
	ok, err := f.checkRequest(x, r, md, dateQ)
	if err != nil || !ok {
		return err
	}
	d := derefMD(md)
	var v verdict
	switch r.Tx.PID {
	case PIDAbmeldeanfrage:
		// E_3020 (no rows; INTERPRETATION): an LFA that does not supply the
		// MaLo has nothing to object to; otherwise the contract decides
		// (policy, ERP).
		v = policy(EBDAbmeldeanfrage, CodeAbmeldeanfrageObject, CodeAbmeldeanfrageConfirm)
		if !d.Supplied {
			v = fixed(EBDAbmeldeanfrage+" (not supplied)", false, CodeAbmeldeanfrageConfirm)
		}
	case PIDAbmeldungNB:
		v = policy(EBDAbmeldungNB, CodeAbmeldungNBObject, CodeAbmeldungNBConfirm)
	case PIDEoG:
		v = policy(EBDEoG, CodeEoGObject, CodeEoGConfirm)
		if x.S.Request.Location == nil {
			v = fixed(EBDEoG+" (master data of the 44013 unreadable)", true, CodeEoGObject)
		}
	case PIDKuendigung:
		// E_3001: the checks that lead to A03/A04 first (its remark); an end
		// already confirmed is a Mehrfachkündigung (Z34, [15]); then the
		// contract (policy: Vertragsbindung Z12, [16]).
		switch {
		case !d.Supplied:
			v = fixed(EBDKuendigung+" (no contract)", true, CodeKuendigungNoContract)
		case d.ConfirmedEnd:
			v = fixed(EBDKuendigung+" (end already confirmed)", true, CodeKuendigungMultiple)
		default:
			v = policy(EBDKuendigung, CodeKuendigungBinding, CodeKuendigungConfirm)
		}
	default:
		// A 44022 whose cancelled transaction has no process here: refused.
		v = fixed("Stornierung of an unknown transaction", true, CodeStornoLate)
	}
	if v.fixed {
		return f.applyDecision(x, Decided{Object: v.object, Key: v.key, Source: "ebd", Note: v.step})
	}
	defaultObject := f.cfg.objection(r.Tx.PID, d, x.S.Date)
	if due, ok := f.cfg.ask.Due(r.Tx.PID, x.At); ok {
		x.Emit(DecisionRequested{PID: r.Tx.PID, Partner: r.Tx.Sender, TransactionID: r.Tx.TransactionID, MaLo: x.S.MaLo, Date: x.S.Date,
			Step: v.step + " " + v.objectKey + "/" + v.consentKey, ObjectKey: v.objectKey, ConsentKey: v.consentKey, DefaultObject: defaultObject,
			ObjectCode: f.cfg.codes.get(v.objectKey).Code, ConsentCode: f.cfg.codes.get(v.consentKey).Code, Due: due})
		x.AwaitDecision(labelDecision, due, DecisionKey(r.Tx.Sender, r.Tx.TransactionID))
		return nil
	}
	key := v.consentKey
	if defaultObject {
		key = v.objectKey
	}
	return f.applyDecision(x, Decided{Object: defaultObject, Key: key, Source: "policy", Note: v.step})
}

// remarkPIDs are the answers with an FTX+ACB line (AHB FV2610: 44003,
// 44006, 44009, 44015, 44018, 44024 "Muss [48] Kann"; 44012 has none).
var remarkPIDs = map[string]bool{PIDAnmeldungAbl: true, PIDAbmeldungAbl: true, PIDAbmeldungNBAbl: true, PIDEoGAbl: true,
	PIDKuendigungAbl: true, PIDStornoAbl: true}

// applyDecision records the verdict and sends the answer of a request. A
// verdict whose answer the master data cannot fill (44017 without the
// previous-year consumption, 44018 Z12 without notice period) fails the
// process with the reason instead of sending a non-conformant message.
func (f flow) applyDecision(x *dec, d Decided) error {
	req := x.S.Request
	if d.Key == "" {
		d.Key = x.S.ConsentKey
		if d.Object {
			d.Key = x.S.ObjectKey
		}
	}
	rule := f.cfg.codes.get(d.Key)
	if d.Code == "" {
		d.Code = rule.Code
	}
	if req.PID == PIDKuendigung && !d.Object && !d.End.IsZero() {
		d.Key = CodeKuendigungNewDate
		if d.Code == rule.Code {
			d.Code = f.cfg.codes.get(CodeKuendigungNewDate).Code
		}
	}
	x.Emit(d)
	uc, ok := useCaseOf(req.PID)
	if !ok {
		return fmt.Errorf("geligas: %s transaction %s: no use case for %s", f.name, req.TransactionID, req.PID)
	}
	pid, outcome, list := uc.Confirm, OutcomeConfirmed, uc.ConfirmList
	if d.Object {
		pid, outcome, list = uc.Reject, OutcomeRejected, uc.RejectList
	}
	md := derefMD(req.MasterData)
	m := outMsg{PID: pid, From: x.S.Own, To: x.S.Partner, Reason: req.Reason, Answer: d.Code, List: list, RefTN: req.TransactionID, MaLo: x.S.MaLo}
	if remarkPIDs[pid] {
		// FTX+ACB: the ERP's note; else the table's text of the code; an E14
		// always has one (AHB [48]). Internal step names are not sent.
		switch {
		case d.Source == "erp" && d.Note != "":
			m.Remark = d.Note
		case d.Code == rule.Code && rule.Remark != "":
			m.Remark = rule.Remark
		case d.Code == answerSonstiges:
			m.Remark = "Sonstiges"
		}
	}
	fail := func(why string) error {
		x.Emit(Failed{Outcome: OutcomeFailed, Reason: pid + " to " + req.TransactionID + " not sent: " + why, MaLo: x.S.MaLo})
		return nil
	}
	switch pid {
	case PIDAbmeldeanfrageBest: // 44011: DTM+93
		m.End = x.S.Date
	case PIDAbmeldungNBBest: // 44008: DTM+93, DTM+159 if the 44007 had it ([33])
		m.End, m.BalanceEnd = x.S.Date, req.BalanceEnd
	case PIDEoGBest: // 44014: the 44013's master data with the LF's Bilanzkreis
		months := md.BillingMonths
		if months < 1 {
			months = f.cfg.billingMonths // WithDefaultBillingMonths; 0: none
		}
		if md.BalanceGroup == "" || months < 1 {
			return fail("the Grundversorger's Bilanzkreis and billing interval are not in its master data (billing interval: or WithDefaultBillingMonths)")
		}
		l := *req.Location
		m.Start, m.BalanceStart, m.MeLo, m.Location, m.BalanceGroup, m.BillingMonths = x.S.Date, x.S.Date, l.MeLo, &l, md.BalanceGroup, months
	case PIDKuendigungBest: // 44017: DTM+93 (or DTM+471 with Z01), Vorjahresverbrauch, customer and MaLo address
		if md.AnnualConsumption == nil || md.Customer == "" || md.Address == nil {
			return fail("the previous-year consumption, customer and MaLo address (44017 QTY+Z09, NAD+Z09, NAD+DP) are not in the master data")
		}
		m.End = x.S.Date
		if d.Key == CodeKuendigungNewDate {
			m.End, m.NextPossible = time.Time{}, d.End
		}
		m.PrevYearKWh, m.SiteAddress = md.AnnualConsumption, md.Address
		m.Customer = utilmdkit.CustomerName(md.Customer, md.CustomerFirst, md.CustomerCompany)
	case PIDKuendigungAbl: // 44018 by the code, as the AHB conditions read ([15], [16], [361])
		switch d.Code {
		case answerMultiple:
			m.ConfirmedEnd = md.ContractEnd
			if m.ConfirmedEnd.IsZero() {
				m.ConfirmedEnd = x.S.Date
			}
		case answerBinding:
			if md.NoticePeriod == "" || md.EarliestEnd.IsZero() || strings.ContainsRune(md.NoticePeriod, 'T') {
				return fail("Vertragsbindung needs the notice period (ZZRB without T) and the earliest end (44018 DTM+Z01, DTM+157)")
			}
			m.NoticePeriod, m.EarliestEnd = md.NoticePeriod, md.EarliestEnd
		case answerNotFound, answerOtherNB:
			m.MaLo = "" // [361]
		}
	}
	if req.PID == PIDStorno {
		m.BGM, m.Reason, m.MaLo = req.Category, reasonStorno, ""
	}
	if _, err := f.send(x, m); err != nil {
		return err
	}
	date := m.End
	if !m.Start.IsZero() {
		date = m.Start
	}
	x.Emit(Completed{Outcome: outcome, PID: pid, Code: d.Code, List: list, MaLo: x.S.MaLo, Date: date})
	switch pid {
	case PIDAbmeldeanfrageBest, PIDAbmeldungNBBest:
		x.Emit(SupplyEnded{MaLo: x.S.MaLo, Supplier: x.S.Own, NB: x.S.Partner, Until: x.S.Date})
	case PIDEoGBest:
		x.Emit(SupplierAssigned{MaLo: x.S.MaLo, Supplier: x.S.Own, NB: x.S.Partner, From: x.S.Date})
	}
	return nil
}

// start records an ERP-initiated process; it reports false for a repeated
// command on a started process.
func (f flow) start(x *dec, wf string, i Initiated) (bool, error) {
	if f.name != wf {
		return false, fmt.Errorf("%w: %T for %s", ErrUnexpectedCommand, x.Cmd.Payload, f.name)
	}
	id, ok, err := utilmdkit.StartERP[family](x, x.S.Started, i.RequestID)
	if err != nil {
		return false, fmt.Errorf("geligas: %w", err)
	}
	if !ok {
		return false, nil
	}
	i.RequestID, i.Workflow, i.FV, i.At = id, wf, x.FV.String(), x.At
	x.Emit(i)
	return true, nil
}

func (f flow) registerSupplyStart(x *dec, p RegisterSupplyStart) error {
	if err := p.validate(); err != nil {
		return err
	}
	ok, err := f.start(x, WorkflowLFNLieferbeginn, Initiated{RequestID: p.RequestID, Own: p.LFN, Partner: p.NB, MaLo: p.MaLo, Date: p.Start.UTC(), Reason: p.reason()})
	if err != nil || !ok {
		return err
	}
	discount := p.MunicipalDiscount
	_, err = f.send(x, outMsg{PID: PIDAnmeldung, From: p.LFN, To: p.NB, IMD: true, Start: p.Start, Reason: p.reason(), MaLo: p.MaLo,
		BillingMonths: p.BillingMonths, BalanceGroup: p.BalanceGroup, Household: p.Household, NetContract: p.netContract(), NetPayer: p.netPayer(),
		AnnualKWh: p.annualKWh(), Profile: p.LoadProfile, Discount: &discount, Customer: utilmdkit.CustomerName(p.Customer, p.CustomerFirstName, p.CustomerCompany),
		Address: p.Address})
	return err
}

func (f flow) requestTermination(x *dec, p RequestTermination) error {
	if err := p.validate(); err != nil {
		return err
	}
	ok, err := f.start(x, WorkflowLFNKuendigung, Initiated{RequestID: p.RequestID, Own: p.LFN, Partner: p.LFA, MaLo: p.MaLo, Date: p.Date.UTC(), Reason: reasonWechsel})
	if err != nil || !ok {
		return err
	}
	_, err = f.send(x, outMsg{PID: PIDKuendigung, From: p.LFN, To: p.LFA, IMD: true, End: p.Date, Reason: reasonWechsel, MaLo: p.MaLo})
	return err
}

func (f flow) registerSupplyEnd(x *dec, p RegisterSupplyEnd) error {
	if err := p.validate(); err != nil {
		return err
	}
	if err := oneOf("reason", p.Reason, transactionReasons(x.FV, PIDAbmeldung)...); err != nil {
		return fmt.Errorf("%w (44004 of %s)", err, x.FV)
	}
	ok, err := f.start(x, WorkflowLFLieferende, Initiated{RequestID: p.RequestID, Own: p.LF, Partner: p.NB, MaLo: p.MaLo, Date: p.End.UTC(), Reason: p.Reason})
	if err != nil || !ok {
		return err
	}
	_, err = f.send(x, outMsg{PID: PIDAbmeldung, From: p.LF, To: p.NB, End: p.End, Reason: p.Reason, MaLo: p.MaLo})
	return err
}

func (f flow) deregisterSupply(x *dec, p DeregisterSupply) error {
	if err := p.validate(); err != nil {
		return err
	}
	ok, err := f.start(x, WorkflowNBAbmeldung, Initiated{RequestID: p.RequestID, Own: p.NB, Partner: p.LF, MaLo: p.MaLo, Date: p.End.UTC(), Reason: reasonStilllegung})
	if err != nil || !ok {
		return err
	}
	_, err = f.send(x, outMsg{PID: PIDAbmeldungNB, From: p.NB, To: p.LF, End: p.End, BalanceEnd: p.End, Reason: reasonStilllegung, MaLo: p.MaLo})
	return err
}

func (f flow) registerEoG(x *dec, p RegisterEoG) error {
	if err := p.validate(); err != nil {
		return err
	}
	if err := oneOf("reason", p.reason(), transactionReasons(x.FV, PIDEoG)...); err != nil {
		return fmt.Errorf("%w (44013 of %s)", err, x.FV)
	}
	ok, err := f.start(x, WorkflowNBEoG, Initiated{RequestID: p.RequestID, Own: p.NB, Partner: p.LF, MaLo: p.MaLo, Date: p.Start.UTC(), Reason: p.reason()})
	if err != nil || !ok {
		return err
	}
	if p.Location == nil {
		x.Emit(Failed{Outcome: OutcomeFailed, Reason: "44013 not sent: no gas master data (Location) of MaLo " + p.MaLo, MaLo: p.MaLo})
		return nil
	}
	if err := p.Location.Validate(); err != nil {
		x.Emit(Failed{Outcome: OutcomeFailed, Reason: "44013 not sent: master data of MaLo " + p.MaLo + ": " + err.Error(), MaLo: p.MaLo})
		return nil
	}
	l := *p.Location
	_, err = f.send(x, outMsg{PID: PIDEoG, From: p.NB, To: p.LF, Start: p.Start, BalanceStart: p.Start, Reason: p.reason(), MaLo: p.MaLo,
		MeLo: l.MeLo, Location: &l, EoGState: "ZB9"})
	return err
}

// requestCancellation sends a Stornierung 44022 for the ERP: the process
// that sent the cancelled transaction sends it (cancelOwn; the ERP command
// is routed there, ERPCommands), geligas.storno.request only when it is
// started for it directly.
func (f flow) requestCancellation(x *dec, p RequestCancellation) error {
	if err := validateCancellation(p); err != nil {
		return err
	}
	if f.name != WorkflowStornoRequest {
		return f.cancelOwn(x, p)
	}
	ok, err := f.start(x, WorkflowStornoRequest, Initiated{RequestID: p.RequestID, Own: p.Sender, Partner: p.Recipient, MaLo: p.MaLo,
		CancelTx: p.TransactionID, Category: p.Category, Reason: reasonStorno})
	if err != nil || !ok {
		return err
	}
	_, err = f.send(x, outMsg{PID: PIDStorno, BGM: p.Category, From: p.Sender, To: p.Recipient, Reason: reasonStorno, RefACW: p.TransactionID})
	return err
}

// senderAnswer handles the answer to the request of a sending workflow and
// applies its master-data change.
func (f flow) senderAnswer(x *dec, o Outgoing, ar AnswerReceived) error {
	first := len(x.S.Out) > 0 && x.S.Out[0].TransactionID == o.TransactionID
	ar.Timely = !x.S.Done
	x.Emit(ar)
	if !first || x.S.Init == nil {
		return nil
	}
	if !ar.Timely {
		x.Emit(Noted{What: "answer " + ar.PID + " after the process ended (" + x.S.Outcome + ")"})
		return nil
	}
	uc, _ := useCaseOf(o.PID)
	confirmed := ar.PID == uc.Confirm
	outcome := OutcomeRejected
	if confirmed {
		outcome = OutcomeConfirmed
	}
	x.Emit(Completed{Outcome: outcome, PID: ar.PID, Code: ar.Code, List: ar.List, MaLo: x.S.MaLo, Date: x.S.Date})
	if !confirmed {
		return nil
	}
	switch o.PID {
	case PIDAnmeldung:
		x.Emit(SupplierAssigned{MaLo: x.S.MaLo, Supplier: x.S.Own, NB: x.S.Partner, From: x.S.Date})
	case PIDAbmeldung:
		x.Emit(SupplyEnded{MaLo: x.S.MaLo, Supplier: x.S.Own, NB: x.S.Partner, Until: x.S.Date})
	case PIDAbmeldungNB:
		x.Emit(SupplyEnded{MaLo: x.S.MaLo, Supplier: x.S.Partner, NB: x.S.Own, Until: x.S.Date})
	case PIDEoG:
		x.Emit(SupplierAssigned{MaLo: x.S.MaLo, Supplier: x.S.Partner, NB: x.S.Own, From: x.S.Date})
	}
	return nil
}

// infoIn records a received Informationsmeldung (no answer is due; Gas:
// silence is the positive APERAK). 44036 belongs to the LFN's Anmeldung
// process (RFF+TN); 44037/44038 start a geligas.lf.info process that ends
// at once and applies the change to the LF's master data: 44037 ends its
// supply at DTM+93, 44038 revokes its assignment starting at DTM+92.
func (f flow) infoIn(x *dec, r *utilmdkit.Received) error {
	id, ok := maloOf(r.T)
	ref, _ := r.T.Reference("TN")
	var party string
	for _, s := range r.T.Segments {
		if s.Is("NAD", "VY") {
			party = s.Value(1, 0)
		}
	}
	ev := InfoReceived{Workflow: f.name, PID: r.Tx.PID, TransactionID: r.Tx.TransactionID, Sender: r.Tx.Sender, MaLo: id,
		Reason: statusReason(r.T), Party: party, RefTransaction: ref.Value, At: x.At}
	switch r.Tx.PID {
	case PIDInfoBeendigung:
		ev.Date = dateOf(r.T, "93")
	case PIDInfoAufhebung:
		ev.Date = dateOf(r.T, "92")
	}
	if !ok || (r.Tx.PID != PIDInfoZuordnung && ev.Date.IsZero()) {
		if err := f.ack(x, r, []aperak.Problem{{Code: "Z29", Location: &aperak.Location{Name: "Meldepunkt"}}}); err != nil {
			return err
		}
		if f.name == WorkflowLFInfo && !x.S.Done {
			x.Emit(Failed{Outcome: OutcomeAperakRejected, Reason: "Informationsmeldung " + r.Tx.TransactionID + " without MaLo or date", MaLo: id})
		}
		return nil
	}
	x.Emit(ev)
	if f.name != WorkflowLFInfo || x.S.Done {
		return nil
	}
	x.Emit(Completed{Outcome: OutcomeInformed, PID: r.Tx.PID, Code: ev.Reason, MaLo: id, Date: ev.Date})
	switch r.Tx.PID {
	case PIDInfoBeendigung:
		x.Emit(SupplyEnded{MaLo: id, Supplier: r.Tx.Receiver, NB: r.Tx.Sender, Until: ev.Date})
	case PIDInfoAufhebung:
		x.Emit(AssignmentRevoked{MaLo: id, Supplier: r.Tx.Receiver, From: ev.Date})
	}
	return nil
}
