package cond

import (
	"strings"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
)

// Predicate tables of the UTILMD AHBs (Strom: UTILMD AHB Strom 2.1/2.2,
// Gas: UTILMD AHB Gas; condition texts from ../shared/ahb-data
// …/UTILMD/{Strom,Gas}/pruef-ids/_bedingungen.js and the per-line texts of
// _form-meta.js, FV2604 and FV2610). Each entry quotes its text; the quote
// is checked against the data by TestCitations for every FV the entry holds
// for. First the conditions the LFW24 PIDs use, then those of the GeLi Gas
// core PIDs.

var (
	fv2604 = fv.MustParse("FV2604")
	fv2610 = fv.MustParse("FV2610")
)

// only restricts d to the format versions [from, until] (zero: open).
func only(d def, from, until fv.Version) def {
	d.from, d.until = from, until
	return d
}

// unverified marks d as taken from a source other than the AHB data.
func unverified(d def) def {
	d.unverified = true
	return d
}

// answer matches STS+E01 (Status der Antwort) with one of codes.
func answer(codes ...string) func(*edifact.Segment) bool { return sts("E01", 2, codes...) }

// reason matches STS+7 (Transaktionsgrund) with one of codes.
func reason(codes ...string) func(*edifact.Segment) bool { return sts("7", 2, codes...) }

// supplement matches STS+7 with one of codes as Transaktionsgrundergänzung.
func supplement(codes ...string) func(*edifact.Segment) bool { return sts("7", 3, codes...) }

// noticeChar: "Wenn das DE2380 von SG4 DTM+Z01 (Kündigungsfrist des
// Vertrags) an vierter Stelle … enthält". False when there is no DTM+Z01.
func noticeChar(chars string) Predicate {
	return func(sc *Scope) Tri {
		sp, ok := sc.within("SG4")
		if !ok {
			return Unknown
		}
		for _, s := range sc.segs(sp) {
			if s.Is("DTM", "Z01") {
				v := s.Value(0, 1)
				return TriOf(len(v) >= 4 && strings.IndexByte(chars, v[3]) >= 0)
			}
		}
		return False
	}
}

// dtmValue returns the DE2380 of the first DTM+qual in group g.
func (sc *Scope) dtmValue(g, qual string) (string, bool, bool) {
	sp, ok := sc.within(g)
	if !ok {
		return "", false, false
	}
	for _, s := range sc.segs(sp) {
		if s.Is("DTM", qual) {
			return s.Value(0, 1), true, true
		}
	}
	return "", false, true
}

// sameAsDTM: "Wert muss identisch mit DE2380 aus dem SG4 DTM+q … sein".
func sameAsDTM(qual string) Predicate {
	return func(sc *Scope) Tri {
		v, found, ok := sc.dtmValue("SG4", qual)
		if !ok {
			return Unknown
		}
		return TriOf(found && v == sc.Value)
	}
}

// monthStart: "Es ist ein Monatserster 0 Uhr (gem. deutscher Zeit)
// anzugeben" on a 303 value.
func monthStart(sc *Scope) Tri {
	d, err := catalog.ParseDTM(sc.Value, catalog.DTMFormat303)
	if err != nil {
		return False
	}
	return TriOf(fristen.IsStromtagLimit(d.Start) && d.Start.In(fristen.Berlin()).Day() == 1)
}

// sameAnswerEBD: "Innerhalb eines SG4 IDE müssen alle DE1131 der SG4
// STS+E01 (Status der Antwort) den identischen Wert enthalten".
func sameAnswerEBD(sc *Scope) Tri {
	sp, ok := sc.within("SG4")
	if !ok {
		return Unknown
	}
	var first *edifact.Component
	for _, s := range sc.segs(sp) {
		if !s.Is("STS", "E01") {
			continue
		}
		c := s.Element(2).Component(1)
		if first == nil {
			first = &c
			continue
		}
		if string(first.Raw()) != string(c.Raw()) {
			return False
		}
	}
	return True
}

// packageIDNamed: "Es ist eine Produktpaket-ID aus dem DE1050 von einem SG8
// SEQ+Z79 (Bestandteil eines Produktpakets) zu nennen".
func packageIDNamed(sc *Scope) Tri {
	sp, ok := sc.within("SG4")
	if !ok {
		return Unknown
	}
	for _, s := range sc.segs(sp) {
		if s.Is("SEQ", "Z79") && s.Element(1).Component(0).Equal(sc.Value) {
			return True
		}
	}
	return False
}

// restingMaLoOrdered reports whether an SG8 SEQ+Z79 of the transaction
// holds CAV+ZH9 with code 9991000002933 (Ruhende Marktlokation ausprägen).
func restingMaLoOrdered(sc *Scope) Tri {
	sp, ok := sc.within("SG4")
	if !ok {
		return Unknown
	}
	inZ79 := false
	for _, s := range sc.segs(sp) {
		if s.Tag == "SEQ" {
			inZ79 = s.Is("SEQ", "Z79")
			continue
		}
		if inZ79 && s.Is("CAV", "ZH9") && s.Element(0).Component(3).Equal("9991000002933") {
			return True
		}
	}
	return False
}

// countryWithPostcode: [268] "Wenn der Code im DE3207 in der EDI@Energy
// Codeliste der europäischen Ländercodes in der Spalte PLZ vorhanden ein X
// aufgeführt ist". The code list is not in the shared data; only DE (which
// has postcodes) is decided, every other country is Unknown.
func countryWithPostcode(sc *Scope) Tri {
	s := sc.segment()
	if s == nil || s.Tag != "NAD" {
		return Unknown
	}
	if s.Element(8).Component(0).Equal("DE") {
		return True
	}
	return Unknown
}

// lastprofilAgency293 reports whether an SG8 SEQ+Z35 of the transaction has
// an SG10 CCI+Z12 (Lastprofil) whose CAV carries DE3055 = 293.
func lastprofilAgency293(sc *Scope) Tri {
	sp, ok := sc.within("SG4")
	if !ok {
		return Unknown
	}
	inZ35, inZ12 := false, false
	for _, s := range sc.segs(sp) {
		switch {
		case s.Tag == "SEQ":
			inZ35, inZ12 = s.Is("SEQ", "Z35"), false
		case s.Tag == "CCI":
			inZ12 = inZ35 && s.Is("CCI", "Z12")
		case inZ12 && s.Tag == "CAV" && s.Element(0).Component(2).Equal("293"):
			return True
		}
	}
	return False
}

// cciAgency293: [58] "Wenn in diesem CCI das DE3055 mit dem Code 293
// vorhanden" — the CCI opening the line's SG10.
func cciAgency293(sc *Scope) Tri {
	s := sc.groupFirst("SG10")
	if s == nil || s.Tag != "CCI" {
		return Unknown
	}
	return TriOf(s.Element(2).Component(2).Equal("293"))
}

// nadWithoutStreet: [212] "Wenn im selben SG12 NAD DE3124 nicht vorhanden".
func nadWithoutStreet(sc *Scope) Tri {
	s := sc.groupFirst("SG12")
	if s == nil || s.Tag != "NAD" {
		return Unknown
	}
	return TriOf(s.Element(2).IsEmpty())
}

// messageDateFrom: "Wenn DTM+137 (Nachrichtendatum) im DE2380 ≥ v".
func messageDateFrom(v string) Predicate {
	return func(sc *Scope) Tri {
		got, found, ok := sc.dtmValue("", "137")
		if !ok || !found {
			return Unknown
		}
		a, err1 := catalog.ParseDTM(got, catalog.DTMFormat303)
		b, err2 := catalog.ParseDTM(v, catalog.DTMFormat303)
		if err1 != nil || err2 != nil {
			return Unknown
		}
		return TriOf(!a.Start.Before(b.Start))
	}
}

// comChannel: "Wenn im DE3155 in demselben COM der Code … vorhanden ist".
func comChannel(codes ...string) Predicate {
	return sameSegment(segAt("COM", "", 0, 1, codes...))
}

// email: [939] "Format: Die Zeichenkette muss die Zeichen @ und . enthalten".
func email(sc *Scope) Tri {
	return TriOf(strings.Contains(sc.Value, "@") && strings.Contains(sc.Value, "."))
}

// phone: [940] "Format: Die Zeichenkette muss mit dem Zeichen + beginnen und
// danach dürfen nur noch Ziffern folgen".
func phone(sc *Scope) Tri {
	v := sc.Value
	if len(v) < 2 || v[0] != '+' {
		return False
	}
	for i := 1; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return False
		}
	}
	return True
}

// identLogic matches IMD++Z36+code (Identifikationslogik).
func identLogic(code string) func(*edifact.Segment) bool {
	return func(s *edifact.Segment) bool {
		return s.Tag == "IMD" && s.Element(1).Component(0).Equal("Z36") && s.Element(2).Component(0).Equal(code)
	}
}

// sg8Instances calls f with each SG8 instance of the transaction: its SEQ
// and the segments up to the next SEQ or the first SG12 NAD.
func (sc *Scope) sg8Instances(f func(seq *edifact.Segment, body []edifact.Segment)) bool {
	sp, ok := sc.within("SG4")
	if !ok {
		return false
	}
	segs := sc.segs(sp)
	for i := 0; i < len(segs); i++ {
		if segs[i].Tag != "SEQ" {
			continue
		}
		j := i + 1
		for j < len(segs) && segs[j].Tag != "SEQ" && segs[j].Tag != "NAD" {
			j++
		}
		f(&segs[i], segs[i:j])
		i = j - 1
	}
	return true
}

// sharedDevice: [123] "Wenn noch mindestens eine weitere SG8 SEQ+Z20 …
// mit dem SG8 RFF+MG / Z11 … auf die gleiche Identifikation/Nummer des
// Gerätes referenziert" — for the line's SG8 (a SEQ+Z20).
func sharedDevice(sc *Scope) Tri {
	own, ok := sc.within("SG8")
	if !ok {
		return Unknown
	}
	device := ""
	for _, s := range sc.segs(own) {
		if s.Is("RFF", "MG") || s.Is("RFF", "Z11") {
			device = s.Value(0, 1)
			break
		}
	}
	if device == "" {
		return False
	}
	ownSeq := sc.groupFirst("SG8")
	found := false
	if !sc.sg8Instances(func(seq *edifact.Segment, body []edifact.Segment) {
		if seq == ownSeq || !seq.Is("SEQ", "Z20") {
			return
		}
		for _, s := range body {
			if (s.Is("RFF", "MG") || s.Is("RFF", "Z11")) && s.Element(0).Component(1).Equal(device) {
				found = true
			}
		}
	}) {
		return Unknown
	}
	return TriOf(found)
}

// noConverterForMeter: [442] "Wenn in keinem SG8 SEQ+Z09 Mengenumwerterdaten
// das RFF+MG … der in diesem RFF DE1154 genannte Gerätenummer des Zählers
// vorhanden ist" — for the line's RFF segment.
func noConverterForMeter(sc *Scope) Tri {
	s := sc.segment()
	if s == nil || s.Tag != "RFF" {
		return Unknown
	}
	device := s.Value(0, 1)
	found := false
	if !sc.sg8Instances(func(seq *edifact.Segment, body []edifact.Segment) {
		if !seq.Is("SEQ", "Z09") {
			return
		}
		for _, r := range body {
			if r.Is("RFF", "MG") && r.Element(0).Component(1).Equal(device) {
				found = true
			}
		}
	}) {
		return Unknown
	}
	return TriOf(!found)
}

// thisPIA returns the PIA the line refers to: its own segment, else the
// PIA of its SG8; nil if there is none.
func (sc *Scope) thisPIA() *edifact.Segment {
	if s := sc.segment(); s != nil && s.Tag == "PIA" {
		return s
	}
	sp, ok := sc.within("SG8")
	if !ok {
		return nil
	}
	segs := sc.segs(sp)
	for i := range segs {
		if segs[i].Tag == "PIA" {
			return &segs[i]
		}
	}
	return nil
}

// piaCodePrefix: "Wenn in diesem PIA der Code im DE7140 mit p1, p2 …
// beginnt / enthalten ist".
func piaCodePrefix(prefixes ...string) Predicate {
	return func(sc *Scope) Tri {
		s := sc.thisPIA()
		if s == nil {
			return Unknown
		}
		code := string(s.Element(1).Component(0).Raw())
		for _, p := range prefixes {
			if strings.HasPrefix(code, p) {
				return True
			}
		}
		return False
	}
}

// piaCodeFormat: "Wenn in diesem PIA der Code im Format n1-n2-n1-n3
// angegeben ist".
func piaCodeFormat(widths ...int) Predicate {
	g := digitGroups(widths...)
	return func(sc *Scope) Tri {
		s := sc.thisPIA()
		if s == nil {
			return Unknown
		}
		return g(&Scope{Value: string(s.Element(1).Component(0).Raw()), Segment: -1})
	}
}

// dtmCode: "Wenn im selben Segment im DE2379 der Code … vorhanden ist".
func dtmCode(code string) Predicate { return sameSegment(segAt("DTM", "", 0, 2, code)) }

// utilmdStrom is the predicate table of the UTILMD Strom AHB (v selects the
// EBD answer-code table).
func utilmdStrom(v fv.Version) []def {
	ebd, products := loadEBD(v), loadProducts(v)
	return withPatterns(concat(
		[]def{
			// LFW24 (55001–55012, 55016–55018, 55022–55024, 55077, 55078, 55080).
			req(7, "STS+7++ZG9/ZH1/ZH2 (Transaktionsgrund: Aufhebung einer zukünftigen Zuordnung", has("SG4", reason("ZG9", "ZH1", "ZH2"))),
			req(10, "STS+7++xxx+xxx+E01/", has("SG4", sts("7", 4, "E01", "E03"))),
			req(11, "STS+7++ZG9/ZH1/ZH2 (Transaktionsgrund: Aufhebung einer zukünftigen Zuordnung", hasNot("SG4", reason("ZG9", "ZH1", "ZH2"))),
			req(12, "Wenn SG4 DTM+471 (Ende zum nächstmöglichem Termin) nicht vorhanden", hasNot("SG4", seg("DTM", "471"))),
			req(18, "Wenn SG4 DTM+93 (Ende zum) nicht vorhanden", hasNot("SG4", seg("DTM", "93"))),
			only(req(23, "Wenn in dieser SG4 das STS+E01++A05 (Status der Antwort) vorhanden", has("SG4", answer("A05"))), fv2610, fv.Version{}),
			only(req(23, "Wenn in dieser SG4 das STS+E01++A05/A99 (Status der Antwort) vorhanden", has("SG4", answer("A05", "A99"))), fv.Version{}, fv2604),
			only(req(24, "Wenn in dieser SG4 das STS+E01++A25 (Status der Antwort) vorhanden", has("SG4", answer("A25"))), fv2610, fv.Version{}),
			only(req(24, "Wenn in dieser SG4 das STS+E01++A25/A99 (Status der Antwort) vorhanden", has("SG4", answer("A25", "A99"))), fv.Version{}, fv2604),
			req(27, "Wenn das DE2380 von SG4 DTM+Z01 (Kündigungsfrist des Vertrags) an vierter Stelle ein T oder R enthält", noticeChar("TR")),
			req(35, "Wenn das DE2380 von SG4 DTM+Z01 (Kündigungsfrist des Vertrags) an vierter Stelle T (Termin) enthält", noticeChar("T")),
			// [33] (chapter 6 column "Lieferant") and [39]/[40] (column
			// "Wertedetails für Position"): not in the shared product table.
			req(33, "Wenn in einer SG8 SEQ+Z79 im PIA+5", nil),
			req(36, "Wenn in derselben SG8 SEQ+Z79 im PIA+5 (Erforderliches Produkt) DE7140 ein Produkt-Code genannt ist", productHasProperties(products)),
			req(39, "DE7140 ein Produkt-Code genannt ist, der in der Codeliste der Konfigurationen", nil),
			valueRule(38, "Es sind nur die Code der Produkteigenschaft zu dem in derselben SG8 SEQ+Z79", propertyOfProduct(products)),
			valueRule(40, "Es ist nur der Wertebereich erlaubt", nil),
			valueRule(41, "Es ist eine Produktpaket-ID aus dem DE1050 von einem SG8 SEQ+Z79 (Bestandteil eines Produktpakets) zu nennen", packageIDNamed),
			req(42, "Wenn mehr als ein SG8 SEQ+ZH0 (Priorisierung erforderliches Produktpaket) vorhanden", countAtLeast("SG4", 2, seg("SEQ", "ZH0"))),
			req(46, "Wenn ID für Objekt vergeben wurde", presentIsTrue),
			req(48, "Wenn in dieser SG4 das STS+E01++A99 (Status der Antwort: Sonstiges) vorhanden", has("SG4", answer("A99"))),
			req(49, "Wenn in dieser SG4 das STS+E01++E14 (Status der Antwort: Ablehnung Sonstiges) vorhanden", has("SG4", answer("E14"))),
			req(60, "Wenn BGM+Z90 (Beendigung der Zuordnung zur Lokation) vorhanden", has("", seg("BGM", "Z90"))),
			req(67, "der Code 9991000002933 (Ruhende Marktlokation ausprägen) vorhanden ist", func(sc *Scope) Tri { return restingMaLoOrdered(sc).Not() }),
			req(79, "Wenn SG4 STS+7++Z33 (Auszug wegen Stilllegung) vorhanden", has("SG4", reason("Z33"))),
			req(83, "Wenn in dieser SG4 das STS+E01++A08/ A16/ A99 (Status der Antwort) vorhanden", has("SG4", answer("A08", "A16", "A99"))),
			req(84, "Wenn SG4 STS+E01++A57 (Status der Antwort) vorhanden", has("SG4", answer("A57"))),
			req(85, "an vierter Stelle M, Q, H oder J enthält", noticeChar("MQHJ")),
			valueRule(87, "Es ist ein Monatserster 0 Uhr (gem. deutscher Zeit) anzugeben", monthStart),
			valueRule(88, "Wert muss identisch mit DE2380 aus dem SG4 DTM+157 (Änderung zum) sein", sameAsDTM("157")),
			req(96, "STS+7++xxx+ZAP", has("SG4", supplement("ZAP"))),
			req(97, "Wenn in einem SG10 CAV+ZH9 DE7110", has("SG4", segAt("CAV", "ZH9", 0, 3, "9991000002420"))),
			only(req(106, "Wenn in dieser SG8 SEQ+Z01 SG10 CCI+++ZA6 (Prognosegrundlage der Marktlokation: Prognose auf Basis von Profilen) CAV+E02 (SLP/SEP) vorhanden",
				inSubgroup("SG8", seg("SEQ", "Z01"), "CCI", segAt("CCI", "", 2, 0, "ZA6"), seg("CAV", "E02"))), fv2610, fv.Version{}),
			external(120, "Wenn von NB Abtretungserklärung benötigt wird"),
			req(165, "Wenn bekannt", presentIsTrue),
			req(166, "Wenn vorhanden", presentIsTrue),
			only(external(181, "Wenn der Versender"), fv2610, fv.Version{}),
			req(192, "Wenn SG4 STS+7++XXX+ZW4/ZAP", has("SG4", supplement("ZW4", "ZAP"))),
			req(205, "Wenn SG5 LOC+Z19 (Steuerbare Ressource) vorhanden", has("SG4", seg("LOC", "Z19"))),
			req(209, "Wenn im selben Segment im DE2379 der Code 303 vorhanden ist", dtmCode("303")),
			valueRule(249, "Innerhalb eines SG4 IDE müssen alle DE1131 der SG4 STS+E01", sameAnswerEBD),
			req(268, "Wenn der Code im DE3207 in der \"EDI@Energy Codeliste der europäischen Ländercodes\" in der Spalte \"PLZ vorhanden\" ein \"X\" aufgeführt ist", countryWithPostcode),
			req(279, "Wenn STS+7++xxx+ZW4 / ZAP", has("SG4", supplement("ZW4", "ZAP"))),
			valueRule(292, "Es sind nur die Produkt-Codes erlaubt, die in der Codeliste der Konfigurationen", knownProduct(products)),
			req(294, "Wenn SG5 LOC+Z18 (Netzlokation) vorhanden", has("SG4", seg("LOC", "Z18"))),
			req(351, "Wenn SG4 STS+E01++A04/ A05", has("SG4", answer("A04", "A05", "A13", "A14"))),
			// [352] is written "STS++A05/…" (category left empty): the codes
			// are answer codes, matched in any STS.
			req(352, "STS++A05/ A06/ A14 /A15 (Status der Antwort) vorhanden", has("SG4", sts("", 2, "A05", "A06", "A14", "A15"))),
			req(355, "Wenn SG4 STS+E01++A45 (Status der Antwort) vorhanden", has("SG4", answer("A45"))),
			req(356, "STS+E01++A50 (Status der Antwort) vorhanden", has("SG4", answer("A50"))),
			req(357, "Wenn SG4 STS+E01++A03/ A09/ A12/ A17 (Status der Antwort) vorhanden", has("SG4", answer("A03", "A09", "A12", "A17"))),
			req(358, "Wenn SG4 STS+E01++A06 (Status der Antwort) vorhanden", has("SG4", answer("A06"))),
			valueRule(359, "Es sind nur Antwortcodes aus dem Cluster Ablehnung erlaubt", answerCluster(ebd, 'A')),
			valueRule(360, "Es sind nur Antwortcodes aus dem Cluster Zustimmung erlaubt", answerCluster(ebd, 'Z')),
			req(363, "STS+E01++A50 (Status der Antwort) vorhanden", has("SG4", answer("A50"))),
			valueRule(366, "Bis auf den Code A30 sind alle Codes aus EBD E_0624 im Cluster Ablehnung erlaubt", rejectionExcept(ebd, "E_0624", "A30")),
			valueRule(368, "Bis auf den Code A41 sind alle Codes aus EBD E_0624 im Cluster Ablehnung erlaubt", rejectionExcept(ebd, "E_0624", "A41")),
			req(384, "Wenn in derselben SG8 SG10 CCI+Z37++ZD1", inSubgroup("SG8", nil, "CCI", segAt("CCI", "Z37", 2, 0, "ZD1"), nil)),
			req(437, "Wenn in dieser SG4 das STS+E01++A04 / A23 (Status der Antwort) vorhanden", has("SG4", answer("A04", "A23"))),
			req(463, "Wenn in derselben SG10 das CCI+Z61++ZF9 (Kunde erfüllt die Voraussetzung nach EnFG) vorhanden", has("SG10", segAt("CCI", "Z61", 2, 0, "ZF9"))),
			req(476, "STS+7++xxx+ZW0", has("SG4", supplement("ZW0"))),
			req(477, "STS+7++xxx+ZW1", has("SG4", supplement("ZW1"))),
			req(478, "STS+7++xxx+ZW2", has("SG4", supplement("ZW2"))),
			req(479, "STS+7++xxx+ZW3", has("SG4", supplement("ZW3"))),
			req(480, "STS+7++xxx+ZW4", has("SG4", supplement("ZW4"))),
			req(481, "STS+7++xxx+ZW5", has("SG4", supplement("ZW5"))),
			req(483, "STS+7++xxx+ZW7", has("SG4", supplement("ZW7"))),
			externalValue(494, "Das hier genannte Datum muss der Zeitpunkt sein, zu dem das Dokument erstellt wurde, oder ein Zeitpunkt, der davor liegt"),
			unverified(format(0, "", dayBoundary(false))).ub(1),
			// Facts of the sender ("Wenn … vorhanden/bekannt": the present
			// line shows them) and facts outside the message (external).
			req(14, "Wenn Datum bekannt", presentIsTrue),
			req(130, "Wenn an Messlokation vorhanden", presentIsTrue),
			req(133, "Wenn an der übermittelten Marktlokation / Messlokation vorhanden", presentIsTrue),
			req(170, "Wenn Anschrift der Marktlokation vorhanden", presentIsTrue),
			req(262, "Wenn Produkt an der Marktlokation vorhanden ist", presentIsTrue),
			external(1, "Wenn Aufteilung vorhanden"),
			external(8, "Wenn für Datenclearing erforderlich"),
			external(25, "Wenn die Veräußerungsform der erzeugenden Marktlokation der Marktprämie zugeordnet ist"),
			external(30, "Wenn Antwort auf Aktivierung übermittelt wird"),
			external(31, "Wenn eine Korrektur erfolgt"),
			external(34, "Wenn Antwort auf Deaktivierung übermittelt wird"),
			external(37, "Wenn Anmeldung/ Änderung befristet"),
			external(71, "Wenn Antwort auf Zuordnung übermittelt wird"),
			external(72, "Wenn Antwort auf Beendigung der Zuordnung übermittelt wird"),
			external(113, "Wenn es sich um eine Antwort auf die Bestellung einer Zählzeit handelt"),
			external(137, "Nicht bei Neuanlage"),
			external(147, "Wenn in Anfrage vorhanden"),
			external(201, "Wenn die Marktlokation / Tranche nicht den ganzen Bilanzierungsmonat dem gleichen Tupel"),
			external(248, "Wenn die Inbetriebnahme der verbrauchenden Marktlokation innerhalb der letzten drei Jahre war"),
			external(255, "Wenn Marktlokation am Redispatch 2.0 teilnimmt"),
			external(328, "Wenn die Marktlokation stillgelegt wird"),
			external(336, "Wenn in Änderungsmeldung gefüllt"),
			external(342, "Wenn aktiver MaBiS-ZP für den Betrachtungszeitraum vorhanden"),
			external(373, "Wenn ein Referenzprofil an der Marktlokation vorhanden ist"),
			external(417, "Wenn für den erforderlichen Wert keine Zählzeit benötigt wird"),
			external(457, "Wenn bei der Bestellung das Messprodukten 9991000001498 bestellt wurde"),
			external(458, "Wenn bei der Bestellung das Konfigurationsprodukte 9991000000739 bestellt wurde"),
			valueRule(280, "Nur MP-ID aus Sparte Strom", valueSector(false)),
			valueRule(334, "Nur MP-ID aus Sparte Gas", valueSector(true)),
			// Lines of an SG10, a QTY, an RFF or a PIA.
			req(95, "Wenn in derselben SG10 das CCI+Z17 (Stromverbrauchsart) CAV+ZE5 (E-Mobilität) vorhanden", has("SG10", seg("CAV", "ZE5"))),
			req(239, "Wenn in derselben SG10 das CCI+Z17 (Stromverbrauchsart) im CAV+Z65 (Wärme/Kälte) vorhanden", has("SG10", seg("CAV", "Z65"))),
			req(461, "Wenn in derselben SG10 das CCI (Art und Nutzung der Technischen Ressource) im CAV+ZG8", has("SG10", seg("CAV", "ZG8"))),
			req(462, "Wenn in derselben SG10 das CCI+Z17 (Stromverbrauchsart) im CAV+ZH1 (Inbetriebsetzung der TR vor 2024) vorhanden", has("SG10", seg("CAV", "ZH1"))),
			req(140, "Wenn im selben QTY im DE6063 Z34/Z35 (Zuschlag/Abschlag) vorhanden", sameSegment(segAt("QTY", "", 0, 0, "Z34", "Z35"))),
			req(172, "Wenn im selben QTY im DE6063 Z37 (Kein Zu- und Abschlag) vorhanden", sameSegment(segAt("QTY", "", 0, 0, "Z37"))),
			req(180, "Wenn im selben QTY im DE6063 Z46 (Kein Abschlag) vorhanden", sameSegment(segAt("QTY", "", 0, 0, "Z46"))),
			req(440, "Wenn in demselben RFF der Code Z35 (vorgelagerte Netzlokation) im DE1153 vorhanden", sameSegment(seg("RFF", "Z35"))),
			req(442, "Wenn in demselben RFF der Code Z34 (vorgelagerte Messlokation) im DE1153 vorhanden", sameSegment(seg("RFF", "Z34"))),
			req(450, "Wenn in demselben RFF der Code Z32 (Netzlokation) im DE1153 vorhanden", sameSegment(seg("RFF", "Z32"))),
			req(451, "Wenn in demselben RFF der Code Z18 (Marktlokation) im DE1153 vorhanden", sameSegment(seg("RFF", "Z18"))),
			req(452, "Wenn in demselben RFF der Code Z19 (Messlokation) im DE1153 vorhanden", sameSegment(seg("RFF", "Z19"))),
			req(456, "Wenn in demselben RFF der Code Z37 (Technische Ressource) im DE1153 vorhanden", sameSegment(seg("RFF", "Z37"))),
			req(259, "Wenn in diesem PIA der Code im DE7140 mit 1-01, 1-03, 1-05 enthalten ist", piaCodePrefix("1-01", "1-03", "1-05")),
			req(261, "Wenn in diesem PIA der Code im DE7140 mit 1-07-1/2, 1-10-1/2/4/5/6/7/8/9, 1-11-1 beginnt",
				piaCodePrefix("1-07-1", "1-07-2", "1-10-1", "1-10-2", "1-10-4", "1-10-5", "1-10-6", "1-10-7", "1-10-8", "1-10-9", "1-11-1")),
			req(270, "Wenn in diesem PIA der Code im DE7140 mit 1-02,", piaCodePrefix("1-02", "1-04", "1-06", "1-09")),
			req(393, "Wenn in diesem PIA der Code im Format n1-n2-n1-n3 angegeben ist", piaCodeFormat(1, 2, 1, 3)),
			req(394, "Wenn in diesem PIA der Code im Format n1-n2-n1-n8-", piaCodeFormat(1, 2, 1, 8, 2)),
			req(395, "Wenn in diesem PIA der Code im Format n1-n2-n1-n8 angegeben ist", piaCodeFormat(1, 2, 1, 8)),
			req(397, "Wenn in diesem PIA der Code im DE7140 mit 1-08-1/1-", piaCodePrefix("1-08-1", "1-08-4")),
			req(398, "Wenn in diesem PIA der Code im DE7140 mit 1-08-2/1-", piaCodePrefix("1-08-2", "1-08-5")),
			// FV2604 only.
			only(req(158, "Wenn im selben Segment im DE2379 der Code 106 vorhanden ist", dtmCode("106")), fv.Version{}, fv2604),
			only(req(313, "Wenn DTM+137 (Nachrichtendatum) im DE2380 ≥ 202603312200?+00", messageDateFrom("202603312200+00")), fv.Version{}, fv2604),
			only(req(321, "Wenn im DE3155 in demselben COM der Code EM vorhanden ist", comChannel("EM")), fv.Version{}, fv2604),
			only(req(322, "Wenn im DE3155 in demselben COM der Code TE / FX / AJ / AL vorhanden ist", comChannel("TE", "FX", "AJ", "AL")), fv.Version{}, fv2604),
		},
		formatDefs(902, 910, 914, 922, 926, 930, 931, 937, 938, 942, 943, 946, 948, 950, 951, 955, 957, 960, 961),
		onlyAll(formatDefs(939, 940), fv.Version{}, fv2604),
	), ahbPatterns(UTILMDStrom))
}

// utilmdGas is the predicate table of the UTILMD Gas AHB (v selects the EBD
// answer-code table).
func utilmdGas(v fv.Version) []def {
	ebd := loadEBD(v)
	return withPatterns(concat(
		[]def{
			// GeLi Gas core PIDs (44001–44018, 44022–44024, 44036–44038).
			req(7, "STS+7++ZG9/ZH1/ZH2 (Transaktionsgrund: Aufhebung einer zukünftigen Zuordnung", has("SG4", reason("ZG9", "ZH1", "ZH2"))),
			req(10, "Wenn SG4 STS+Z17 (Transaktionsgrund für befristete Anmeldung) vorhanden", has("SG4", seg("STS", "Z17"))),
			req(11, "STS+7++ZG9/ZH1/ZH2 (Transaktionsgrund: Aufhebung einer zukünftigen Zuordnung", hasNot("SG4", reason("ZG9", "ZH1", "ZH2"))),
			req(12, "Wenn SG4 DTM+471 (Ende zum nächstmöglichem Termin) nicht vorhanden", hasNot("SG4", seg("DTM", "471"))),
			req(13, "Wenn SG4 STS+E01++Z01 (Status der Antwort: Zustimmung mit Terminänderung) nicht vorhanden", hasNot("SG4", answer("Z01"))),
			req(15, "Wenn SG4 STS+E01++Z34 (Status der Antwort: Ablehnung Mehrfachkündigung) vorhanden", has("SG4", answer("Z34"))),
			req(16, "Wenn SG4 STS+E01++Z12 (Status der Antwort: Ablehnung Vertragsbindung) vorhanden", has("SG4", answer("Z12"))),
			external(17, "Wenn bereits eine bestätigte Kündigung durch Kunde oder MP vorhanden"),
			req(18, "Wenn SG4 DTM+93 (Ende zum) nicht vorhanden", hasNot("SG4", seg("DTM", "93"))),
			req(19, "Wenn SG8 SEQ+Z01 (Daten der Marktlokation) SG10 CCI+++ZC0 (Prognose auf Basis von Werten) vorhanden",
				inSubgroup("SG4", nil, "SEQ", seg("SEQ", "Z01"), segAt("CCI", "", 2, 0, "ZC0"))),
			req(28, "Wenn SG4 DTM+93 (Ende zum) vorhanden", has("SG4", seg("DTM", "93"))),
			external(29, "Wenn eine Bilanzierung stattfindet"),
			external(33, "Wenn in Abmeldung ein Bilanzierungsende vorhanden"),
			req(35, "Wenn das DE2380 von SG4 DTM+Z01 (Kündigungsfrist des Vertrags) an vierter Stelle T (Termin) enthält", noticeChar("T")),
			req(36, "Wenn SG4 STS+E01++ZC5 (Status der Antwort: Ablehnung andere Anmeldung in Bearbeitung) vorhanden", has("SG4", answer("ZC5"))),
			external(37, "Wenn Anmeldung/ Änderung befristet"),
			external(39, "Wenn LF beabsichtigt Zählerstand zu übermitteln"),
			only(req(44, "Wenn im selben Segment im DE2379 der Code 106 vorhanden ist", dtmCode("106")), fv2610, fv.Version{}),
			req(46, "Wenn in SG8 SEQ+Z35 ein SG10 CCI+Z12 (Lastprofil) CAV (Lastprofil) DE3055 der Wert 293 enthalten ist", lastprofilAgency293),
			req(47, "Wenn in SG8 SEQ+Z35 ein SG10 CCI+Z12 (Lastprofil) CAV (Lastprofil) DE3055 der Wert 293 nicht enthalten ist", func(sc *Scope) Tri { return lastprofilAgency293(sc).Not() }),
			req(48, "Wenn in dieser SG4 das STS+E01++E14 (Status der Antwort: Ablehnung Sonstiges) vorhanden", has("SG4", answer("E14"))),
			external(51, "Bei rückwirkendem Lieferende/Lieferbeginn"),
			req(58, "Wenn in diesem CCI das DE3055 mit dem Code 293 vorhanden", cciAgency293),
			req(64, "Wenn SG4 DTM+158 (Bilanzierungsbeginn) vorhanden", has("SG4", seg("DTM", "158"))),
			external(65, "sind alle Bilanzkreise des LF zu melden in denen freie Kapazitäten beim NB bestehen"),
			req(66, "Wenn SG10 CCI+Z19 (Bilanzkreis) im Vorgang mehr als einmal vorhanden", countAtLeast("SG4", 2, seg("CCI", "Z19"))),
			req(68, "Wenn SG10 CCI+Z19 (Bilanzkreis) im Vorgang mehr als zweimal vorhanden", countAtLeast("SG4", 3, seg("CCI", "Z19"))),
			req(69, "Wenn SG10 CCI+Z19 (Bilanzkreis) im Vorgang mehr als dreimal vorhanden", countAtLeast("SG4", 4, seg("CCI", "Z19"))),
			req(70, "Wenn SG10 CCI+Z19 (Bilanzkreis) im Vorgang fünfmal vorhanden", countIs("SG4", 5, seg("CCI", "Z19"))),
			req(84, "Wenn SG4 STS+E01++Z35 (Status der Antwort: Ablehnung der Abmeldeanfrage) vorhanden", has("SG4", answer("Z35"))),
			req(106, "Wenn in dieser SG8 SEQ+Z01 SG10 CCI+++ZA6 (Prognosegrundlage der Marktlokation: Prognose auf Basis von Profilen) vorhanden",
				inSubgroup("SG8", seg("SEQ", "Z01"), "CCI", segAt("CCI", "", 2, 0, "ZA6"), nil)),
			external(108, "Wenn Kundenwertverfahren (z. B. TU München)"),
			external(127, "Hat der Lieferant auf Grund seines Vertrags Kenntnis, dass der Kunde keine hohe KA hat"),
			req(123, "Wenn noch mindestens eine weitere SG8 SEQ+Z20 (OBIS-Daten der Zähleinrichtung / Mengenumwerter) mit dem SG8 RFF+MG / Z11", sharedDevice),
			req(128, "Wenn SG10 CAV+TAS/ TKS/ SAS/ KAS vorhanden", has("SG4", segAt("CAV", "", 0, 0, "TAS", "TKS", "SAS", "KAS"))),
			external(129, "Hat der Lieferant auf Grund seines Vertrags Kenntnis über die Höhe der Sonder-KA"),
			req(130, "Wenn an Messlokation vorhanden", presentIsTrue),
			external(147, "Wenn in Anfrage vorhanden"),
			req(165, "Wenn bekannt", presentIsTrue),
			req(166, "Wenn vorhanden", presentIsTrue),
			req(203, "Wenn STS+7++E06 / Z39 / ZC6 / ZC7 / ZT6 / ZT7 / Z02 / ZZD", has("SG4", reason("E06", "Z39", "ZC6", "ZC7", "ZT6", "ZT7", "Z02", "ZZD"))),
			req(209, "Wenn im selben Segment im DE2379 der Code 303 vorhanden ist", dtmCode("303")),
			req(212, "Wenn im selben SG12 NAD DE3124 nicht vorhanden", nadWithoutStreet),
			req(213, "Wenn SG12 NAD+Z09 (Kunde des Lieferanten) vorhanden", has("SG4", seg("NAD", "Z09"))),
			req(216, "Wenn CCI+++Z88 (Netznutzung) CAV+Z74:::Z08 (Netznutzungsvertrag: Direkter Vertrag zwischen Kunden und NB) vorhanden",
				inSubgroup("SG4", nil, "CCI", segAt("CCI", "", 2, 0, "Z88"), segAt("CAV", "Z74", 0, 3, "Z08"))),
			valueRule(230, "muss >= DTM+92 (Beginn zum) sein", nil),
			valueRule(249, "Innerhalb eines SG4 IDE müssen alle DE1131 der SG4 STS+E01", sameAnswerEBD),
			req(257, "Wenn in derselben SG8 SEQ+Z02 (OBIS-Daten der Marktlokation) das PIA+5+7-0?:33.86.0 vorhanden",
				inSubgroup("SG8", seg("SEQ", "Z02"), "PIA", segAt("PIA", "5", 1, 0, "7-0:33.86.0"), nil)),
			req(268, "Wenn der Code im DE3207 in der \"EDI@Energy Codeliste der europäischen Ländercodes\" in der Spalte \"PLZ vorhanden\" ein \"X\" aufgeführt ist", countryWithPostcode),
			valueRule(315, "anzugeben welche an der Marktlokation erforderlich sind", nil),
			valueRule(324, "anzugeben welche an der Zähleinrichtung genutzt werden", nil),
			// [274]: the OBIS list of the text is cut off in the data.
			req(274, "Wenn in derselben SG8 SEQ+Z20 (OBIS-Daten der Zähleinrichtung / Mengenumwerter) das PIA+5+7-b?:3.0.0", nil),
			// [333] writes "IMD+Z36+Z13" where [328] and the AHB line (IMD,
			// DE7081 Z36, DE7009 Z12/Z13) have IMD++Z36+…: read as the latter.
			req(328, "Wenn IMD++Z36+Z12 (Identifikationslogik: Marktlokations-ID) vorhanden", has("SG4", identLogic("Z12"))),
			req(333, "Wenn IMD+Z36+Z13 (Identifikationslogik: Alle Identifikationsdaten) vorhanden", has("SG4", identLogic("Z13"))),
			req(361, "Wenn STS+E01++A03/ A04 nicht vorhanden", hasNot("SG4", answer("A03", "A04"))),
			req(362, "Wenn STS+E01++A03/ A17 nicht vorhanden", hasNot("SG4", answer("A03", "A17"))),
			req(367, "Wenn SG4 STS+E01++A04 vorhanden", has("SG4", answer("A04"))),
			valueRule(368, "Es sind alle Codes aus der Codeliste G_0009 erlaubt", inCodeList(ebd, "G_0009")),
			req(442, "Wenn in keinem SG8+SEQ+Z09 Mengenumwerterdaten das RFF+MG (Referenz auf die Gerätenummer) der in diesem RFF DE1154 genannte Gerätenummer des Zählers vorhanden ist", noConverterForMeter),
			format(952, "Format: Gerätenummer nach DIN 43863-5", nil), // layout not in the shared data
			externalValue(494, "Das hier genannte Datum muss der Zeitpunkt sein, zu dem das Dokument erstellt wurde, oder ein Zeitpunkt, der davor liegt"),
			unverified(format(0, "", dayBoundary(true))).ub(2),
		},
		formatDefs(902, 907, 912, 930, 931, 937, 938, 950, 951, 953),
	), ahbPatterns(UTILMDGas))
}

// onlyAll applies only to every registration of ds.
func onlyAll(ds []def, from, until fv.Version) []def {
	for i := range ds {
		ds[i] = only(ds[i], from, until)
	}
	return ds
}

// ub turns a format registration into the time condition [UBn].
func (d def) ub(n uint16) def {
	d.ref = Ref{Kind: RefTime, N: n}
	return d
}

// externalValue classifies a value rule that needs information outside the
// message (e.g. the time the document was created).
func externalValue(n uint16, quote string) def {
	d := valueRule(n, quote, nil)
	d.external = true
	return d
}

func concat(parts ...[]def) []def {
	var out []def
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
