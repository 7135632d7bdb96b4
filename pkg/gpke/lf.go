package gpke

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// verdict is the outcome of an EBD walk on the answering LF side: either a
// fixed code, or a policy step with the codes of both answers.
type verdict struct {
	step        string // EBD/step, e.g. "E_0624/90"
	fixed       bool
	object      bool
	code        string
	objectCode  string
	consentCode string
}

// lfRequest answers the requests an LF receives: 55010 (E_0624), 55007
// (E_0609), 55016 (E_0614) and — for NB and LF — 55022 (Stornierung).
func (f flow) lfRequest(x *dec, r *utilmdkit.Received, md *MasterData) error {
	if md == nil && r.Tx.PID != PIDStorno {
		return r.Failed(f.name, ErrNoMasterData)
	}
	dateQ := "93"
	if r.Tx.PID == PIDStorno {
		dateQ = ""
	}
	ok, err := f.checkRequest(x, r, md, dateQ, false)
	if err != nil || !ok {
		return err
	}
	var v verdict
	switch r.Tx.PID {
	case PIDAnfrageBeendigung:
		v = f.e0624(x, md)
	case PIDBeendigungNB:
		v = f.e0609(x, md)
	case PIDKuendigung:
		v = f.e0614(x, md)
	case PIDStorno:
		v = verdict{step: "Stornierung", objectCode: f.cfg.storno.Reject, consentCode: f.cfg.storno.Confirm}
	default:
		x.Emit(Noted{What: "request " + r.Tx.PID + " not answered by " + f.name})
		return nil
	}
	if v.fixed {
		return f.applyDecision(x, Decided{Object: v.object, Code: v.code, Source: "ebd", Note: v.step})
	}
	defaultObject := f.cfg.objection(r.Tx.PID, derefMD(md), x.S.Date)
	if r.Tx.PID == PIDStorno {
		defaultObject = !f.cfg.stornoAccept
	}
	if due, ok := f.cfg.ask.Due(r.Tx.PID, x.At); ok {
		x.Emit(DecisionRequested{PID: r.Tx.PID, Partner: r.Tx.Sender, TransactionID: r.Tx.TransactionID, MaLo: x.S.MaLo, Date: x.S.Date, Step: v.step,
			DefaultObject: defaultObject, ObjectCode: v.objectCode, ConsentCode: v.consentCode, Due: due})
		x.AwaitDecision(labelDecision, due, DecisionKey(r.Tx.Sender, r.Tx.TransactionID))
		return nil
	}
	code := v.consentCode
	if defaultObject {
		code = v.objectCode
	}
	return f.applyDecision(x, Decided{Object: defaultObject, Code: code, Source: "policy", Note: v.step})
}

func derefMD(md *MasterData) MasterData {
	if md == nil {
		return MasterData{}
	}
	return *md
}

func fixed(step string, object bool, code string) verdict {
	return verdict{step: step, fixed: true, object: object, code: code}
}

// e0624 walks E_0624 "Anfrage zur Beendigung der Zuordnung prüfen" (LFA).
func (f flow) e0624(x *dec, md *MasterData) verdict {
	req := x.S.Request
	// Step 5: the Anfrage must arrive by 07:00 (WithAnfrageCutoff) of the Werktag after the ÜT of
	// the Anmeldung (DTM+154 of 55010, FV2604/FV2610 AHB), else A43. A 55010
	// without DTM+154 fails the AHB check before (APERAK Z29 is not sent for
	// it yet: the inbound AHB check is not wired), so it is not decided here.
	if !req.Transfer.IsZero() && f.cfg.cutoff >= 0 {
		limit := f.cfg.cal.LFW24(req.Transfer.Add(12 * time.Hour)).FirstWerktag.Add(f.cfg.cutoff)
		if x.Cmd.ReceivedAt.After(limit) {
			return fixed("E_0624/5", true, "A43")
		}
	}
	generating := slices.Contains(req.Reason, "ZW3") || slices.Contains(req.Reason, "ZW5") // step 10 (AHB 55010 STS+7 9013)
	if !generating {
		if !md.Supplied { // step 20: no assignment on the day after the end
			if md.ConfirmedEnd {
				return fixed("E_0624/30", true, "A30")
			}
			return fixed("E_0624/30", false, "A31")
		}
		if slices.Contains(req.Reason, "E01") { // step 40: Ein-/Auszug → steps 50/60 (customer identity, move-out)
			return verdict{step: "E_0624/60", objectCode: "A33", consentCode: "A34"}
		}
		// Steps 70/80 (LFA is Grundversorger, Ersatzversorgung, A38) are not
		// modelled; step 90: contract continues?
		return verdict{step: "E_0624/90", objectCode: "A35", consentCode: "A36"}
	}
	if !md.Supplied { // step 200
		if md.ConfirmedEnd {
			return fixed("E_0624/210", true, "A41")
		}
		return fixed("E_0624/210", false, "A42")
	}
	return verdict{step: "E_0624/220", objectCode: "A39", consentCode: "A40"}
}

// e0609 walks E_0609 "Abmeldung prüfen" (LF, Lieferende NB → LF), consuming
// branch: step 30 (A02), step 40 (Vorlauffrist, A03: the rule of
// WithBeendigungLeadTime; none by default, since the references give no
// lead time for a 55007) and step 130 (A10). Steps 20/25 (ruhende MaLo) and
// 50–120 (Stilllegung, Zuordnungsermächtigung; reason codes not in the
// references) are not modelled. The generating branch (510ff) answers A21
// at step 510 and is otherwise decided by the ERP (its consent code is not
// in the references).
func (f flow) e0609(x *dec, md *MasterData) verdict {
	if !md.Generating {
		switch {
		case md.ConfirmedEnd:
			return fixed("E_0609/30", true, "A02")
		case f.cfg.beendigungLead != nil && !f.cfg.beendigungLead(f.cfg.cal, x.Cmd.ReceivedAt, x.S.Date):
			return fixed("E_0609/40", true, "A03")
		}
		return fixed("E_0609/130", false, "A10")
	}
	switch {
	case md.ConfirmedEnd:
		return fixed("E_0609/510", true, "A21")
	case f.cfg.beendigungLead != nil && !f.cfg.beendigungLead(f.cfg.cal, x.Cmd.ReceivedAt, x.S.Date):
		return fixed("E_0609/520", true, "A22") // Vorlauffrist (WithBeendigungLeadTime)
	}
	return verdict{step: "E_0609/520", objectCode: "A22", consentCode: ""}
}

// e0614 walks E_0614 "Kündigung Vertrag prüfen" (LFA).
func (f flow) e0614(x *dec, md *MasterData) verdict {
	date := x.S.Date
	end := md.ContractEnd
	if !md.Generating { // step 10
		switch {
		case date.Before(x.Cmd.ReceivedAt): // step 20
			return fixed("E_0614/20", true, "A01")
		case !end.IsZero() && end.Equal(date): // step 40
			return fixed("E_0614/40", false, "A03")
		case !end.IsZero() && end.Before(date): // step 50
			return fixed("E_0614/50", true, "A04")
		}
		// Steps 60/70: fixed date and notice period → policy; step 80: a
		// contract already ended later → A05, else A06; consent (steps
		// 90–120, Vollmacht not modelled) → A09.
		obj := "A06"
		if !end.IsZero() && end.After(date) {
			obj = "A05"
		}
		return verdict{step: "E_0614/70", objectCode: obj, consentCode: "A09"}
	}
	switch {
	case !md.Supplied: // step 500: no contract for the object
		return fixed("E_0614/500", true, "A18")
	case date.Before(x.Cmd.ReceivedAt): // step 505
		return fixed("E_0614/505", true, "A10")
	case !end.IsZero() && end.Equal(date): // step 550
		return fixed("E_0614/550", false, "A12")
	case !end.IsZero() && end.Before(date): // step 560
		return fixed("E_0614/560", true, "A13")
	}
	obj := "A15"
	if !end.IsZero() && end.After(date) {
		obj = "A14" // step 590
	}
	return verdict{step: "E_0614/580", objectCode: obj, consentCode: "A17"} // step 630: A17
}

// applyDecision records the verdict and sends the answer of an LF request.
func (f flow) applyDecision(x *dec, d Decided) error {
	if d.Code == "" {
		x.Emit(d, Failed{Outcome: OutcomeFailed, Reason: "no answer code for " + d.Note + " (not in the references); the ERP must decide with a Code", MaLo: x.S.MaLo})
		return nil
	}
	x.Emit(d)
	req := x.S.Request
	uc, ok := useCaseOf(req.PID)
	if !ok {
		return fmt.Errorf("gpke: no use case for %s", req.PID)
	}
	pid, outcome := uc.Confirm, OutcomeConfirmed
	if d.Object {
		pid, outcome = uc.Reject, OutcomeRejected
	}
	m := outMsg{PID: pid, BGM: uc.BGM, From: x.S.Own, To: x.S.Partner, Answer: d.Code, EBD: uc.EBD, RefTN: req.TransactionID,
		Reason: []string{requestReason(req)}}
	md := derefMD(req.MasterData)
	// Content of the answers by the AHB (FV2604/FV2610): no MaLo (the
	// answers have no SG5); the Transaktionsgrund alone except in 55017,
	// which repeats the Ergänzung; dates only where the column has them.
	switch pid {
	case PIDAnfrageBest, PIDKuendigungBest: // 55011, 55017: DTM+93
		m.End = x.S.Date
	case PIDBeendigungNBBest: // 55008: DTM+93, DTM+206 with Z33 ([79])
		m.End = x.S.Date
		if requestReason(req) == "Z33" {
			m.DeviceRemoval = req.DeviceRemoval
		}
	}
	if !d.End.IsZero() && !m.End.IsZero() {
		m.End = d.End // E_0624 step 60 (A34): the LFA's own end date
	}
	switch pid {
	case PIDKuendigungBest: // 55017: Ergänzung; consuming: Vorjahresverbrauch ([480])
		if len(req.Reason) > 1 {
			m.Reason = append(m.Reason, req.Reason[1])
			if req.Reason[1] == "ZW4" {
				m.Annual = md.AnnualConsumption
			}
		}
	case PIDKuendigungAbl: // 55018: contract dates by the answer code ([351], [352])
		switch d.Code {
		case "A04", "A05", "A13", "A14":
			m.ConfirmedEnd = md.ContractEnd
		}
		switch d.Code {
		case "A05", "A06", "A14", "A15":
			m.NoticePeriod, m.EarliestEnd = md.NoticePeriod, md.EarliestEnd
		}
	}
	if remarkCodes[pid][d.Code] { // FTX+ACB: "Sonstiges" and the like ([48], [83], [437])
		m.Remark = d.Note
		if m.Remark == "" {
			m.Remark = d.Code
		}
	}
	if req.PID == PIDStorno {
		m.BGM, m.End, m.Reason = req.Category, time.Time{}, []string{"E05"}
		m.EBD = f.cfg.storno.ConfirmList
		if d.Object {
			m.EBD = f.cfg.storno.RejectList
		}
	}
	if _, err := f.send(x, m); err != nil {
		return err
	}
	x.Emit(Completed{Outcome: outcome, PID: pid, Code: d.Code, EBD: m.EBD, MaLo: x.S.MaLo, Date: m.End})
	if !d.Object && req.PID == PIDBeendigungNB {
		x.Emit(SupplyEnded{MaLo: x.S.MaLo, Supplier: x.S.Own, NB: x.S.Partner, Until: x.S.Date})
	}
	return nil
}

// remarkCodes are the answer codes whose answer needs FTX+ACB (AHB
// FV2604/FV2610: 55006 [48] A99; 55009 [48] ⊻ [437] A99, A04, A23; 55018
// [83] A08, A16, A99; 55024 [49] E14); the text is the ERP's note. 55012 has
// no FTX line.
var remarkCodes = map[string]map[string]bool{
	PIDAbmeldungLFAbl:  {"A99": true},
	PIDBeendigungNBAbl: {"A99": true, "A04": true, "A23": true},
	PIDKuendigungAbl:   {"A08": true, "A16": true, "A99": true},
	PIDStornoAbl:       {"E14": true},
}

// start records an ERP-initiated process; it reports false for a repeated
// command on a started process.
func (f flow) start(x *dec, wf string, i Initiated) (bool, error) {
	if f.name != wf {
		return false, fmt.Errorf("%w: %T for %s", ErrUnexpectedCommand, x.Cmd.Payload, f.name)
	}
	id, ok, err := utilmdkit.StartERP[family](x, x.S.Started, i.RequestID)
	if err != nil {
		return false, fmt.Errorf("gpke: %w", err)
	}
	if !ok {
		return false, nil
	}
	i.RequestID, i.Workflow, i.FV, i.At = id, wf, x.FV.String(), x.At
	x.Emit(i)
	return true, nil
}

func validIDs(malo string, mpids ...string) error {
	return utilmdkit.ValidIDs(ErrInvalidCommand, malo, mpids...)
}

// sendRequest sends the request of a sending workflow and sets the answer
// deadline when pkg/fristen knows it.
func (f flow) sendRequest(x *dec, m outMsg) error {
	if _, err := f.send(x, m); err != nil {
		return err
	}
	if d, err := f.cfg.answers.AnswerDue(context.Background(), m.PID, x.At); err == nil {
		x.D.SetDeadlines = append(x.D.SetDeadlines, deadlineAt(labelAnswer, d.Due.UTC()))
	}
	return nil
}

func (f flow) registerSupplyStart(x *dec, p RegisterSupplyStart) error {
	if p.Start.IsZero() {
		return fmt.Errorf("%w: RegisterSupplyStart needs Start", ErrInvalidCommand)
	}
	if err := validIDs(p.MaLo, p.NB, p.LFN); err != nil {
		return err
	}
	m, err := p.anmeldung()
	if err != nil {
		return err
	}
	customer := p.Customer // the name as people read it: first name and surname, or the company
	if p.CustomerFirstName != "" && !p.CustomerCompany {
		customer = p.CustomerFirstName + " " + p.Customer
	}
	ok, err := f.start(x, WorkflowLFNLieferbeginn, Initiated{RequestID: p.RequestID, Own: p.LFN, Partner: p.NB, MaLo: p.MaLo,
		Date: p.Start.UTC(), Reason: m.Reason, Customer: customer, Generating: p.Generating})
	if err != nil || !ok {
		return err
	}
	if p.pending { // WithSecondAnmeldung(true)
		x.Emit(Failed{Outcome: OutcomeFailed, Reason: "another Anmeldung of MaLo " + p.MaLo + " is pending; not sent (WithSecondAnmeldung)", MaLo: p.MaLo})
		return nil
	}
	return f.sendRequest(x, m)
}

// anmeldung returns the Anmeldung the command asks for: 55001 with the
// Transaktionsgrund (default E03) and ZW4, or 55077 (Generating) with the
// Geschäftsvorfall Case (default ZW0); ErrInvalidCommand when the AHB's
// data are missing.
func (p RegisterSupplyStart) anmeldung() (outMsg, error) {
	reason := p.Reason
	if reason == "" {
		reason = "E03"
	}
	if !p.Generating {
		return supplyStartMsg(p, PIDAnmeldung, reason, "ZW4")
	}
	kind := p.Case
	if kind == "" {
		kind = "ZW0"
	}
	return supplyStartMsg(p, PIDAnmeldungErz, reason, kind)
}

// supplyStartMsg builds the Anmeldung of RegisterSupplyStart (AHB
// FV2604/FV2610): 55001 with Transaktionsgrund + ZW4, the product package
// (Bilanzkreis and the ERP's products, package id 1), SEQ+Z01 Gruppenzuordnung
// nach EnWG, SEQ+Z75 EnFG, NAD+Z09 and NAD+Z04; 55077 with E03 + the
// Geschäftsvorfall (ZW0 default) and the product package.
func supplyStartMsg(p RegisterSupplyStart, pid, reason, kind string) (outMsg, error) {
	if p.BalanceGroup == "" {
		return outMsg{}, fmt.Errorf("%w: RegisterSupplyStart needs balance_group (mandatory product %s)", ErrInvalidCommand, ProductBalanceGroup)
	}
	pkg := &productPackage{ID: "1", Partial: p.Partial, Products: append([]Product{{Code: ProductBalanceGroup, Value: p.BalanceGroup}}, p.Products...)}
	m := outMsg{PID: pid, From: p.LFN, To: p.NB, Start: p.Start, Reason: []string{reason, kind}, MaLo: p.MaLo, Products: pkg}
	if pid == PIDAnmeldungErz {
		switch kind {
		case "ZW0", "ZW2":
		default:
			return outMsg{}, fmt.Errorf("%w: generating case %q: want ZW0 or ZW2 (ZW1 needs a Tranche)", ErrInvalidCommand, kind)
		}
		m.Reason[0] = "E03" // 55077 STS+7: E03 only
		return m, nil
	}
	switch {
	case p.Customer == "" || p.Address == nil || p.Address.Street == "" || p.Address.City == "" || p.Address.PostCode == "":
		return outMsg{}, fmt.Errorf("%w: 55001 needs customer and address (street, city, post_code)", ErrInvalidCommand)
	case p.Household == nil:
		return outMsg{}, fmt.Errorf("%w: 55001 needs household (Gruppenzuordnung nach EnWG)", ErrInvalidCommand)
	case p.EnFG != "ZF9" && p.EnFG != "ZG0" && p.EnFG != "ZG1":
		return outMsg{}, fmt.Errorf("%w: 55001 needs enfg ZF9, ZG0 or ZG1, got %q", ErrInvalidCommand, p.EnFG)
	}
	m.Household = "Z18"
	if *p.Household {
		m.Household = "Z15"
	}
	m.EnFG = p.EnFG
	m.CustomerName = utilmdkit.CustomerName(p.Customer, p.CustomerFirstName, p.CustomerCompany)
	m.Address = p.Address
	return m, nil
}

func (f flow) requestTermination(x *dec, p RequestTermination) error {
	if p.Date.IsZero() {
		return fmt.Errorf("%w: RequestTermination needs Date", ErrInvalidCommand)
	}
	if err := validIDs(p.MaLo, p.LFA, p.LFN); err != nil {
		return err
	}
	ok, err := f.start(x, WorkflowLFNKuendigung, Initiated{RequestID: p.RequestID, Own: p.LFN, Partner: p.LFA, MaLo: p.MaLo,
		Date: p.Date.UTC(), Customer: p.Customer})
	if err != nil || !ok {
		return err
	}
	return f.sendRequest(x, outMsg{PID: PIDKuendigung, From: p.LFN, To: p.LFA, End: p.Date, Reason: []string{"E03", ergaenzung(!p.Generating)}, MaLo: p.MaLo})
}

func (f flow) registerSupplyEnd(x *dec, p RegisterSupplyEnd) error {
	if p.End.IsZero() || p.Reason == "" {
		return fmt.Errorf("%w: RegisterSupplyEnd needs End and Reason", ErrInvalidCommand)
	}
	if err := validIDs(p.MaLo, p.NB, p.LF); err != nil {
		return err
	}
	ok, err := f.start(x, WorkflowLFLieferende, Initiated{RequestID: p.RequestID, Own: p.LF, Partner: p.NB, MaLo: p.MaLo,
		Date: p.End.UTC(), Reason: []string{p.Reason}})
	if err != nil || !ok {
		return err
	}
	return f.sendRequest(x, outMsg{PID: PIDAbmeldungLF, From: p.LF, To: p.NB, End: p.End, Reason: []string{p.Reason, ergaenzung(!p.Generating)}, MaLo: p.MaLo})
}

// validCancellation checks the fields every RequestCancellation needs: the
// transaction, the category E01/E02/E35 (AHB 55022 [500]) and the MP-IDs.
func validCancellation(p RequestCancellation) error {
	if p.TransactionID == "" || (p.Category != "E01" && p.Category != "E02" && p.Category != "E35") {
		return fmt.Errorf("%w: RequestCancellation needs TransactionID and Category E01/E02/E35", ErrInvalidCommand)
	}
	return validIDs(p.MaLo, p.Sender, p.Recipient)
}

// requestCancellation sends a Stornierung 55022 for the ERP: the process
// that sent the cancelled transaction sends it (cancelOwn; the ERP command
// is routed there, ERPCommands), gpke.storno.request only when it is
// started for it directly.
func (f flow) requestCancellation(x *dec, p RequestCancellation) error {
	if err := validCancellation(p); err != nil {
		return err
	}
	if f.name != WorkflowStornoRequest {
		return f.cancelOwn(x, p)
	}
	ok, err := f.start(x, WorkflowStornoRequest, Initiated{RequestID: p.RequestID, Own: p.Sender, Partner: p.Recipient, MaLo: p.MaLo,
		CancelTx: p.TransactionID, Category: p.Category})
	if err != nil || !ok {
		return err
	}
	return f.sendRequest(x, outMsg{PID: PIDStorno, BGM: p.Category, From: p.Sender, To: p.Recipient, Reason: []string{"E05"}, RefACW: p.TransactionID})
}

// senderAnswer handles the answer to the request of a sending workflow.
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
	x.D.CancelDeadlines = append(x.D.CancelDeadlines, labelAnswer)
	x.Emit(Completed{Outcome: outcome, PID: ar.PID, Code: ar.Code, EBD: ar.EBD, MaLo: x.S.MaLo, Date: x.S.Date})
	if !confirmed {
		return nil
	}
	switch o.PID {
	case PIDAnmeldung, PIDAnmeldungErz:
		x.Emit(SupplierAssigned{MaLo: x.S.MaLo, Supplier: x.S.Own, NB: x.S.Partner, From: x.S.Date})
	case PIDAbmeldungLF:
		x.Emit(SupplyEnded{MaLo: x.S.MaLo, Supplier: x.S.Own, NB: x.S.Partner, Until: x.S.Date})
	}
	return nil
}

// cancelOwn sends the Stornierung 55022 of a transaction this process sent
// (ERP gpke.request_cancellation, routed here by the transaction's key,
// utilmdkit.RouteCancellation): BGM = the category of the cancelled message
// (AHB 55022 [500]; utilmdkit.OwnStorno.Resolve: the use case's BGM, a
// differing ERP category is noted and replaced; the ERP's category where
// the use case has none), STS+7 E05,
// RFF+ACW = the transaction. The answer comes back to this process
// (stornoAnswer). A transaction the process did not send, a 55022 of its
// own or another recipient than the cancelled transaction's is refused
// with a note and nothing sent.
func (f flow) cancelOwn(x *dec, p RequestCancellation) error {
	c := utilmdkit.OwnStornoOf(p, PIDStorno, x.S.sentTo, bgmOf)
	return c.Send(func(note string) { x.Emit(Noted{What: note}) }, func(category string) error {
		_, err := f.send(x, outMsg{PID: PIDStorno, BGM: category, From: p.Sender, To: c.Recipient, Reason: []string{"E05"}, RefACW: p.TransactionID})
		return err
	})
}

// stornoAnswer records the answer 55023/55024 to a 55022 the process sent
// (cancelOwn, or the NB's revocation of its 55010). A 55023 confirming the
// Stornierung of the process's own request (utilmdkit.CancelsOwnRequest:
// the first transaction of an ERP-started process, e.g. the LFN's 55001)
// ends the process as
// cancelled, its answer deadline cancelled: a later answer to the
// cancelled request is acknowledged (APERAK) and changes nothing
// (senderAnswer). A 55024 leaves the process waiting for its answer.
func (f flow) stornoAnswer(x *dec, o Outgoing, ar AnswerReceived) error {
	ar.Timely = true
	x.Emit(ar)
	uc, _ := useCaseOf(PIDStorno)
	if ar.PID != uc.Confirm || x.S.Done || !utilmdkit.CancelsOwnRequest(x.S.Init != nil, x.S.firstTx(), o.CancelTx) {
		return nil
	}
	x.CancelDeadline(labelAnswer)
	x.Emit(Completed{Outcome: OutcomeCancelled, PID: ar.PID, Code: ar.Code, EBD: ar.EBD, MaLo: x.S.MaLo, Date: x.S.Date})
	return nil
}
