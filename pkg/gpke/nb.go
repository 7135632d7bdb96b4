package gpke

import (
	"context"
	"slices"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// requestFacts reads a request transaction, records it (RequestReceived)
// and returns the AHB problems of the fields the decision needs (Z29 with
// the MIG segment name, Z35 for a malformed MaLo-ID; APERAK AHB order step 1,
// edifact.md §11.3). dateQ is the DTM qualifier of the requested date ("92"
// start, "93" end, "" none).
func (f flow) requestFacts(x *dec, r *utilmdkit.Received, md *MasterData, dateQ string) []aperak.Problem {
	var problems []aperak.Problem
	rr := RequestReceived{Workflow: f.name, PID: r.Tx.PID, TransactionID: r.Tx.TransactionID, Sender: r.Tx.Sender,
		Receiver: r.Tx.Receiver, Document: r.Doc, InterchangeRef: r.Tx.InterchangeRef, ReceivedAt: x.Cmd.ReceivedAt.UTC(),
		FV: x.FV.String(), MasterData: md, Category: r.V.Header.DocumentCode}
	if st, ok := r.T.Status("7"); ok {
		for _, c := range st.Reasons {
			rr.Reason = append(rr.Reason, c.Value)
		}
	}
	for _, p := range r.T.Parties {
		switch p.Qualifier {
		case "VY":
			rr.NewSupplier = p.ID
		}
	}
	for _, s := range r.T.Segments {
		switch {
		case s.Is("NAD", "Z09"):
			rr.Customer = s.Value(3, 0)
			rr.CustomerName = nil
			for c := 0; c < 6; c++ {
				rr.CustomerName = append(rr.CustomerName, s.Value(3, c))
			}
		case s.Is("SEQ", "Z79"): // one SEQ+Z79 per product: a package id once
			if id := s.Value(1, 0); id != "" && !slices.Contains(rr.Packages, id) {
				rr.Packages = append(rr.Packages, id)
			}
		}
	}
	if d, ok := r.T.Date("206"); ok {
		rr.DeviceRemoval, _ = d.Time()
	}
	if d, ok := r.T.Date("154"); ok { // format 102: a German calendar date
		if t, err := d.Time(); err == nil {
			rr.Transfer = fristen.Date(t.Year(), t.Month(), t.Day())
		}
	}
	if ref, ok := r.T.Reference("ACW"); ok {
		rr.CancelTx = ref.Value
	}
	if d, ok := r.T.Date("154"); ok && r.Tx.PID == PIDAnfrageBeendigung {
		rr.Transfer, _ = d.Time() // unreadable: step 5 is not checked
	}
	if r.Tx.PID == PIDStorno {
		if rr.CancelTx == "" {
			problems = append(problems, aperak.Problem{Code: "Z29", Location: &aperak.Location{Name: "Referenz auf zu stornierende Vorgangsnummer"}})
		}
	} else {
		malo, ok := r.T.MaLo()
		rr.MaLo = malo
		switch {
		case !ok || malo == "":
			problems = append(problems, aperak.Problem{Code: "Z29", Location: &aperak.Location{Name: "Marktlokation"}})
		case ident.ValidateMaLo(malo) != nil:
			loc := r.T.Segments[0]
			for i := range r.T.Segments {
				if r.T.Segments[i].Is("LOC", "Z16") {
					loc = r.T.Segments[i]
				}
			}
			l := aperak.LocationOf("Marktlokation", &loc)
			problems = append(problems, aperak.Problem{Code: "Z35", Content: malo, Location: &l})
		}
	}
	if dateQ != "" {
		d, ok := r.T.Date(dateQ)
		var t time.Time
		var err error
		if ok {
			t, err = d.Time()
		}
		if !ok || err != nil {
			name := "Beginn zum"
			if dateQ == "93" {
				name = "Ende zum"
			}
			problems = append(problems, aperak.Problem{Code: "Z29", Location: &aperak.Location{Name: name}})
		}
		rr.Date = t
	}
	if md != nil && md.MaLo == "" {
		md.MaLo = rr.MaLo
	}
	x.Emit(rr)
	// A Stornierung of this request (55022 with RFF+ACW = its transaction)
	// finds the process under the key of the transaction's sender (ingest).
	x.D.Correlate = append(x.D.Correlate, inbound.TransactionKey(r.Tx.Sender, r.Tx.TransactionID))
	return problems
}

// zuordnungNB is APERAK step 2 on the NB side (edifact.md §11.3): the MaLo
// must be known (else the configured code, default Z14) and in the NB's grid
// (else Z16 with the succeeding NB).
func (f flow) zuordnungNB(md *MasterData) []aperak.Problem {
	switch {
	case !md.Known:
		return []aperak.Problem{{Code: f.cfg.unknownERC, Content: md.MaLo}}
	case !md.InGrid && md.SuccessorNB != "":
		return []aperak.Problem{{Code: "Z16", Content: md.MaLo, SuccessorNB: md.SuccessorNB}}
	case !md.InGrid:
		return []aperak.Problem{{Code: f.cfg.unknownERC, Content: md.MaLo}}
	}
	return nil
}

// zuordnungLF is APERAK step 2 on the LF side for a Beendigung der
// Zuordnung 55007 (edifact.md §11.3): an LF that is not assigned to the MaLo
// (no own supply at the end date, none ending there, not the supplier the
// day before) answers APERAK 313 Z18 "recipient not assigned to the object
// at that time" instead of an E_0609 answer — E_0609 has no step for it.
// CHOICE (the Anwendungsübersicht that says whether 55007 has a Zuordnung
// check is not in the references): WithUnsuppliedBeendigung(false) answers
// by E_0609 instead (step 130, A10).
func (f flow) zuordnungLF(md *MasterData, own string) []aperak.Problem {
	if !f.cfg.beendigungZ18 || md == nil || md.Supplied || md.ConfirmedEnd || md.Supplier == own {
		return nil
	}
	return []aperak.Problem{{Code: "Z18", Content: md.MaLo}}
}

// checkRequest runs the APERAK duty of a request: AHB facts, then (NB) the
// Zuordnung; it sends the APERAK and ends the process on a 313. It reports
// whether the request is processable.
func (f flow) checkRequest(x *dec, r *utilmdkit.Received, md *MasterData, dateQ string, nbZuordnung bool) (bool, error) {
	problems := f.requestFacts(x, r, md, dateQ)
	if len(problems) == 0 && nbZuordnung {
		problems = f.zuordnungNB(md)
	}
	if len(problems) == 0 && r.Tx.PID == PIDBeendigungNB {
		problems = f.zuordnungLF(md, r.Tx.Receiver)
	}
	if err := f.ack(x, r, problems); err != nil {
		return false, err
	}
	if len(problems) > 0 {
		x.Emit(Failed{Outcome: OutcomeAperakRejected, Reason: "request " + r.Tx.PID + " " + r.Tx.TransactionID + " rejected by APERAK " + problems[0].Code, MaLo: x.S.MaLo})
		return false, nil
	}
	return true, nil
}

// nbAnmeldung answers an Anmeldung 55001/55077: E_0622 (direct rejection),
// then E_0621 (is an Anfrage to the LFA needed), then E_0623.
func (f flow) nbAnmeldung(x *dec, r *utilmdkit.Received, md *MasterData) error {
	if md == nil {
		return f.txErr(r, ErrNoMasterData)
	}
	ok, err := f.checkRequest(x, r, md, "92", true)
	if err != nil || !ok {
		return err
	}
	start := x.S.Date
	lfw := f.cfg.cal.LFW24(x.Cmd.ReceivedAt) // ÜT = German local receipt date (fristen.md §5.3)
	consuming := r.Tx.PID == PIDAnmeldung
	code := ""
	if consuming { // E_0622 step 10: verbrauchende MaLo
		switch {
		case !lfw.Allows(start):
			code = "A07" // E_0622 step 15: Vorlauffrist nicht eingehalten (LFW24: ZB ≥ W + 1 day)
		case md.NotParticipating:
			code = "A02" // E_0622 step 30: MaLo nimmt nicht an der Marktkommunikation teil
		case md.PendingRegistration:
			code = "A06" // E_0622 step 70: andere Anmeldung in Bearbeitung
		}
		// Steps 16–28 (ruhende MaLo / Kundenanlage), 50 (Neuanlage, A04) and 60
		// (Anforderungen des LF, A05) need facts the master data do not carry.
	} else { // E_0622 step 220ff: erzeugende MaLo, Geschäftsvorfall 1 (step 300)
		switch {
		case md.PendingRegistration:
			code = "A45" // E_0622 step 270
		case !md.EEG && !lfw.Allows(start):
			code = "A34" // E_0622 steps 405/406: ÜT spätestens Tag vor dem letzten WT vor ZB
		case md.EEG && !firstOfMonth(start):
			code = "A27" // E_0622 step 410: Lieferbeginn am 1. eines Monats 00:00
		case md.EEG && !oneMonthBefore(x.Cmd.ReceivedAt, start):
			code = "A28" // E_0622 step 430: Vorlauffrist von einem Monat (reading: receipt date ≤ ZB − 1 month)
		}
	}
	if code != "" {
		return f.nbAnswerLFN(x, false, code, EBDLieferbeginnDirekt, "")
	}
	// E_0621 "Prüfen, ob Anfrage zur Beendigung der Zuordnung erforderlich"
	// (not in the machine-readable set the project read): an Anfrage is sent
	// iff another LF is assigned on the day before the Zuordnungsbeginn.
	if md.Supplier == "" || md.Supplier == r.Tx.Sender {
		return f.nbDecideLieferbeginn(x)
	}
	// 55010 (AHB FV2604/FV2610): STS+7 with the Anmeldung's Transaktionsgrund
	// and the Ergänzung of the MaLo kind (ZW4 consuming, ZW3 generating — the
	// 55077 Geschäftsvorfall codes ZW0–ZW2 are not in 55010's list), DTM+154 =
	// the ÜT of the Anmeldung (its German receipt date), NAD+Z09 (consuming
	// only, [279]) as the LFN sent it.
	m := outMsg{PID: PIDAnfrageBeendigung, From: r.Tx.Receiver, To: md.Supplier, End: start, Transfer: x.S.Request.ReceivedAt,
		Reason: []string{requestReason(x.S.Request), ergaenzung(consuming)}, MaLo: x.S.MaLo, NewSupplier: r.Tx.Sender}
	if consuming {
		m.CustomerName = x.S.Request.CustomerName
	}
	if _, err := f.send(x, m); err != nil {
		return err
	}
	x.D.SetDeadlines = append(x.D.SetDeadlines, deadlineAt(labelLFA, f.lfaDue(x, lfw)))
	return nil
}

// lfaDue is the NB's wait for the LFA's answer: the answer table's deadline
// for 55010 if it has one, else W at the configured time (UNVERIFIED default
// 10:00, see WithLFAAnswerTime); never before the decision itself.
func (f flow) lfaDue(x *dec, lfw fristen.LFW24Dates) time.Time {
	due := lfw.FirstWerktag.Add(time.Duration(f.cfg.lfaHour)*time.Hour + time.Duration(f.cfg.lfaMinute)*time.Minute)
	if d, err := f.cfg.answers.AnswerDue(context.Background(), PIDAnfrageBeendigung, x.At); err == nil {
		due = d.Due
	}
	if due.Before(x.At) {
		due = x.At
	}
	return due.UTC()
}

// nbAnswer handles the LFA's answers to the NB's 55010 and 55007.
func (f flow) nbAnswer(x *dec, o Outgoing, ar AnswerReceived) error {
	if o.PID != PIDAnfrageBeendigung {
		ar.Timely = true
		x.Emit(ar)
		if ar.PID == PIDBeendigungNBAbl {
			x.Emit(Noted{What: "LFA rejected the Beendigung der Zuordnung " + o.TransactionID + " with " + ar.Code})
		}
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
	return f.nbDecideLieferbeginn(x)
}

// nbLFAExpired: the LFA did not answer in time (E_0623 step 30 / 420 "nein").
func (f flow) nbLFAExpired(x *dec) error {
	if x.S.Done || x.S.LFAAnswered || x.S.LFATx == "" {
		return nil
	}
	x.Emit(LFAWaitExpired{TransactionID: x.S.LFATx, Due: x.At})
	return f.nbDecideLieferbeginn(x)
}

// nbDecideLieferbeginn walks E_0623 once the LFA's answer is in (or its time
// is up, or no Anfrage was needed).
func (f flow) nbDecideLieferbeginn(x *dec) error {
	consuming := x.S.Request.PID == PIDAnmeldung
	asked := x.S.LFATx != ""
	if asked && x.S.LFAAnswered && x.S.LFAObjected { // step 40 / 430: the LFA objected
		already := (consuming && x.S.LFACode == "A30") || (!consuming && x.S.LFACode == "A41") // step 50 / 440
		if !already {
			code := "A50" // step 50: Der LFA hat widersprochen
			if !consuming {
				code = "A57" // step 440
			}
			return f.nbAnswerLFN(x, false, code, EBDLieferbeginn, x.S.LFACode)
		}
	}
	code := "A51" // step 60: Zustimmung
	if !consuming {
		code = "A58" // step 450
	}
	if err := f.nbAnswerLFN(x, true, code, EBDLieferbeginn, ""); err != nil {
		return err
	}
	own, lfn := x.S.Own, x.S.Partner
	x.Emit(SupplierAssigned{MaLo: x.S.MaLo, Supplier: lfn, NB: own, From: x.S.Date})
	// E_0623 step 40 note: on consent the LFA always gets the "Beendigung der
	// Zuordnung"; we send it too when the LFA did not answer in time (its
	// assignment ends by Fristverstreichung, E_0607 step 100) — not when it
	// already ended the supply itself (A30/A41).
	if asked && !x.S.LFAObjected {
		if _, err := f.send(x, outMsg{PID: PIDBeendigungNB, BGM: "E02", From: own, To: x.S.LFA, End: x.S.Date,
			Reason: []string{f.cfg.endReason, ergaenzung(consuming)}, MaLo: x.S.MaLo}); err != nil {
			return err
		}
		x.Emit(SupplyEnded{MaLo: x.S.MaLo, Supplier: x.S.LFA, NB: own, Until: x.S.Date})
	}
	return nil
}

// nbAnswerLFN sends 55002/55003 (55078/55080) to the LFN and completes.
// Content by the AHB (FV2604/FV2610): the confirmation carries DTM+92, the
// Transaktionsgrund with the Ergänzung of the answer (55002: ZW7 gemessene
// MaLo with its MeLos and MSB, ZW6 pauschale MaLo without; 55078: the
// Geschäftsvorfall of the 55077), the MaLo and RFF+Z60 with the product
// packages of the request; the rejection no date and no MaLo, but DTM+Z07/Z08
// for A06/A45, NAD+VY (the LFA) for A50/A57.
func (f flow) nbAnswerLFN(x *dec, confirm bool, code, ebd, third string) error {
	req := x.S.Request
	uc, _ := useCaseOf(req.PID)
	consuming := req.PID == PIDAnmeldung
	pid, outcome := uc.Reject, OutcomeRejected
	if confirm {
		pid, outcome = uc.Confirm, OutcomeConfirmed
	}
	md := derefMD(req.MasterData)
	m := outMsg{PID: pid, BGM: uc.BGM, From: x.S.Own, To: x.S.Partner, Answer: code, EBD: ebd, RefTN: req.TransactionID}
	reason := requestReason(req)
	switch {
	case confirm && consuming:
		kind := "ZW6"
		if len(md.MeLos) > 0 {
			kind = "ZW7"
			m.MeLos = md.MeLos
			m.MSB = msbOf(md)
		}
		m.Start, m.MaLo, m.Reason, m.Packages = x.S.Date, x.S.MaLo, []string{reason, kind}, req.Packages
	case confirm:
		m.Start, m.MaLo, m.Reason, m.Packages = x.S.Date, x.S.MaLo, []string{reason, geschaeftsvorfall(req)}, req.Packages
		m.MeLos, m.MSB = md.MeLos, msbOf(md)
	default:
		m.Reason = []string{reason, ergaenzung(consuming)}
		if code == "A06" || code == "A45" { // AHB [358] / [355]
			m.Processing, m.NextProcessing = md.PendingStart, md.NextProcessing
			// The registry (E_0622 step 70/270, WithProcessIndex) tells that
			// another Anmeldung is in process, not these dates. UNVERIFIED
			// default where the master data have none: "Bearbeitung" = the
			// German day of the receipt, "Datum für nächste Bearbeitung" =
			// the next Werktag; a MasterDataSource that knows better sets
			// PendingStart/NextProcessing.
			day := x.Cmd.ReceivedAt.In(fristen.Berlin())
			day = fristen.Date(day.Year(), day.Month(), day.Day())
			if m.Processing.IsZero() {
				m.Processing = day
			}
			if m.NextProcessing.IsZero() {
				m.NextProcessing = f.cfg.cal.NextWerktag(day)
			}
		}
		if third != "" {
			m.Third, m.ThirdEBD = third, EBDAnfrageBeendigung
			m.NewSupplier = x.S.LFA // NAD+VY: the LFA ([363]/[84], hint [566] Altlieferant)
			if !consuming {
				m.ThirdKind, m.ThirdMaLo, m.RefMaLo = "ZW3", x.S.MaLo, x.S.MaLo
			}
		}
	}
	if _, err := f.send(x, m); err != nil {
		return err
	}
	x.Emit(Completed{Outcome: outcome, PID: pid, Code: code, EBD: ebd, MaLo: x.S.MaLo, Date: x.S.Date})
	return nil
}

// requestReason is the Transaktionsgrund of the received request (E03 if it
// carried none).
func requestReason(r *RequestReceived) string {
	if r != nil && len(r.Reason) > 0 && r.Reason[0] != "" {
		return r.Reason[0]
	}
	return "E03"
}

// ergaenzung is the Transaktionsgrundergänzung of the MaLo kind (STS+7
// second DE9013): ZW4 verbrauchende, ZW3 erzeugende Marktlokation.
func ergaenzung(consuming bool) string {
	if consuming {
		return "ZW4"
	}
	return "ZW3"
}

// geschaeftsvorfall returns the 55077's Ergänzung ZW0/ZW1/ZW2 (Geschäftsvorfall
// 1–3) for the 55078 echo; ZW0 if the request carried none.
func geschaeftsvorfall(r *RequestReceived) string {
	if r != nil && len(r.Reason) > 1 {
		switch c := r.Reason[1]; c {
		case "ZW0", "ZW1", "ZW2":
			return c
		}
	}
	return "ZW0"
}

// msbOf returns the MSB of the master data (nil if unknown); the
// grundzuständige MSB defaults to the MSB in role Z39.
func msbOf(md MasterData) *msbData {
	if md.MSB == "" {
		return nil
	}
	role := md.MSBRole
	if role == "" {
		role = "Z39"
	}
	base := md.BaseMSB
	if base == "" && role == "Z39" {
		base = md.MSB
	}
	return &msbData{MSB: md.MSB, Role: role, Base: base}
}

// nbAbmeldung answers an Abmeldung 55004 by E_0607.
func (f flow) nbAbmeldung(x *dec, r *utilmdkit.Received, md *MasterData) error {
	if md == nil {
		return f.txErr(r, ErrNoMasterData)
	}
	ok, err := f.checkRequest(x, r, md, "93", true)
	if err != nil || !ok {
		return err
	}
	end := x.S.Date
	var code string
	var confirm bool
	if !md.Generating { // E_0607 step 10
		switch {
		case !f.cfg.abmeldungLead(f.cfg.cal, x.Cmd.ReceivedAt, end):
			code = "A02" // step 50: Vorlauffrist nicht eingehalten
		case md.ConfirmedEnd:
			code = "A09" // steps 100/110/120: Lieferende zum Abmeldedatum bereits bestätigt
		default:
			code, confirm = "A11", true // step 140: Bestätigung der Abmeldung
		}
		// Steps 20/30 (ruhende MaLo), 60–90 (Transaktionsgründe ESV,
		// Aufhebung einer zukünftigen Zuordnung) need reason codes the
		// references do not list.
	} else {
		switch {
		case !firstOfMonth(end):
			code = "A21" // step 500
		case !oneMonthBefore(x.Cmd.ReceivedAt, end):
			code = "A22" // step 520
		case md.ConfirmedEnd:
			code = "A26" // steps 580/590/610: bereits aus gleichem Grund bestätigt
		default:
			code, confirm = "A27", true // step 620
		}
	}
	uc, _ := useCaseOf(PIDAbmeldungLF)
	pid, outcome := uc.Reject, OutcomeRejected
	if confirm {
		pid, outcome = uc.Confirm, OutcomeConfirmed
	}
	// 55005/55006 (AHB): the Transaktionsgrund alone, no MaLo (no SG5);
	// DTM+93 only in the confirmation.
	m := outMsg{PID: pid, From: x.S.Own, To: x.S.Partner, Reason: []string{requestReason(x.S.Request)},
		Answer: code, EBD: EBDAbmeldungNB, RefTN: x.S.Request.TransactionID}
	if confirm {
		m.End = end
	}
	if _, err := f.send(x, m); err != nil {
		return err
	}
	x.Emit(Completed{Outcome: outcome, PID: pid, Code: code, EBD: EBDAbmeldungNB, MaLo: x.S.MaLo, Date: end})
	if confirm {
		x.Emit(SupplyEnded{MaLo: x.S.MaLo, Supplier: x.S.Partner, NB: x.S.Own, Until: end})
	}
	return nil
}

// firstOfMonth reports whether t is the 1st of a month, 00:00 German time.
func firstOfMonth(t time.Time) bool {
	l := t.In(fristen.Berlin())
	return l.Day() == 1 && fristen.IsStromtagLimit(t)
}

// oneMonthBefore: the receipt date is at least one calendar month before
// the date (reading of "Vorlauffrist von einem Monat", E_0622 step 430 /
// E_0607 step 520; not verified against the GPKE text).
func oneMonthBefore(received, date time.Time) bool {
	d := date.In(fristen.Berlin())
	limit := fristen.Date(d.Year(), d.Month()-1, d.Day())
	return !fristen.StartOfDay(received).After(limit)
}
