package cond

import (
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/ident"
)

// Predicate table of the MSCONS AHB (condition texts from ../shared/ahb-data
// …/Bewegungsdaten/MSCONS/pruef-ids/_bedingungen.js, the same in FV2604 and
// FV2610 for these numbers). MSCONS groups: SG2 NAD (parties), SG5 NAD+DP,
// SG6 LOC (Lieferort / Messlokation) with SG7 RFF, SG9 LIN (position) with
// SG10 QTY (quantity) and its DTM/STS.

// locationID returns DE3225 of the LOC+172 opening the line's SG6.
func (sc *Scope) locationID() (string, bool) {
	s := sc.groupFirst("SG6")
	if s == nil || !s.Is("LOC", "172") {
		return "", false
	}
	return string(s.Element(1).Component(0).Raw()), true
}

// locationIs: "wenn in SG6 LOC+172 DE3225 die ID der Messlokation /
// Marktlokation angegeben ist" (by the shape of the id).
func locationIs(t ident.Type) Predicate {
	return func(sc *Scope) Tri {
		id, ok := sc.locationID()
		if !ok {
			return Unknown
		}
		got, _ := ident.ClassifyLocation(id)
		return TriOf(got == t)
	}
}

// locationLen: "Wenn Wert in SG6 LOC+172 DE3225 genau n Stellen".
func locationLen(n int) Predicate {
	return func(sc *Scope) Tri {
		id, ok := sc.locationID()
		return triOK(len(id) == n, ok)
	}
}

// transmissionSequence: "Wenn UNH DE0070 mit 1 vorhanden" (UNH S010 0070).
func transmissionSequence(sc *Scope) Tri {
	if sc.Msg == nil || len(sc.Msg.Segments) == 0 || sc.Msg.Segments[0].Tag != "UNH" {
		return Unknown
	}
	return TriOf(sc.Msg.Segments[0].Element(3).Component(0).Equal("1"))
}

// qtyQualifier: "Wenn SG10 QTY DE6063 mit Wert q vorhanden" — the QTY that
// opens the line's SG10.
func qtyQualifier(q string) Predicate {
	return func(sc *Scope) Tri {
		s := sc.groupFirst("SG10")
		if s == nil || s.Tag != "QTY" {
			return Unknown
		}
		return TriOf(s.Element(0).Component(0).Equal(q))
	}
}

// productCode matches PIA+5 with product code c and code list 7143 l.
func productCode(c, l string) func(*edifact.Segment) bool {
	return func(s *edifact.Segment) bool {
		return s.Is("PIA", "5") && s.Element(1).Component(0).Equal(c) && s.Element(1).Component(1).Equal(l)
	}
}

// receiverSector: "Wenn MP-ID in NAD+MR (Nachrichtenempfänger) aus Sparte
// Strom/Gas": a BDEW code number is Strom, a DVGW code number Gas (the
// Allgemeine Festlegungen, MP-ID types per Sparte); a GLN does not tell.
func receiverSector(gas bool) Predicate {
	return func(sc *Scope) Tri {
		if sc.Msg == nil {
			return Unknown
		}
		s, _ := sc.Msg.Find(0, "NAD", "MR")
		if s == nil {
			return Unknown
		}
		return mpidSector(string(s.Element(1).Component(0).Raw()), gas)
	}
}

func mpidSector(id string, gas bool) Tri {
	k, err := ident.ClassifyMPID(id)
	switch {
	case err != nil:
		return Unknown
	case k == ident.MPIDBDEW:
		return TriOf(!gas)
	case k == ident.MPIDDVGW:
		return TriOf(gas)
	}
	return Unknown
}

// valueSector: "Nur MP-ID aus Sparte Strom/Gas" on the MP-ID value.
func valueSector(gas bool) Predicate {
	return func(sc *Scope) Tri { return mpidSector(sc.Value, gas) }
}

// notAfterMessageDate: [495] "Der Zeitpunkt muss ≤ dem Wert im DE2380 des
// DTM+137 sein" (303 values).
func notAfterMessageDate(sc *Scope) Tri {
	ref, found, ok := sc.dtmValue("", "137")
	if !ok || !found {
		return Unknown
	}
	a, ok1 := parse303(sc.Value)
	b, ok2 := parse303(ref)
	if !ok2 {
		return Unknown
	}
	if !ok1 {
		return False
	}
	return TriOf(!a.After(b))
}

// notAfterMessageDay: [135] "Der Wert an der Stelle CCYYMMDD muss ≤ dem Wert
// an der Stelle CCYYMMDD im DE2380 des DTM+137 sein".
func notAfterMessageDay(sc *Scope) Tri {
	ref, found, ok := sc.dtmValue("", "137")
	if !ok || !found || len(ref) < 8 || !allDigits(ref[:8]) {
		return Unknown
	}
	if len(sc.Value) < 8 || !allDigits(sc.Value[:8]) {
		return False
	}
	return TriOf(sc.Value[:8] <= ref[:8])
}

// msconsPredicates is the predicate table of the MSCONS AHB.
func msconsPredicates() []def {
	bgm := func(n uint16, code, quote string) def { return req(n, quote, has("", seg("BGM", code))) }
	return concat([]def{
		req(23, "Wenn UNH DE0070 mit 1 vorhanden", transmissionSequence),
		req(32, "wenn MP-ID in SG2 NAD+MS in der Rolle NB", role(false, "NB")),
		req(33, "wenn MP-ID in SG2 NAD+MR in der Rolle LF", role(true, "LF")),
		req(35, "wenn MP-ID in SG2 NAD+MS in der Rolle MSB", role(false, "MSB")),
		req(36, "wenn MP-ID in SG2 NAD+MR in der Rolle NB", role(true, "NB")),
		req(38, "wenn in SG6 LOC+172 DE3225 die ID der Messlokation angegeben ist", locationIs(ident.TypeMeLo)),
		req(42, "Wenn MP-ID in SG2 NAD+MR in der Rolle MSB", role(true, "MSB")),
		req(46, "Wenn Wert in SG6 LOC+172 DE3225 genau 11 Stellen", locationLen(11)),
		req(62, "Wenn Wert in SG6 LOC+172 DE3225 genau 33 Stellen", locationLen(33)),
		bgm(68, "7", "Wenn BGM+7 vorhanden"),
		bgm(69, "Z28", "Wenn BGM+Z28 vorhanden"),
		bgm(70, "BK", "Wenn BGM+BK vorhanden"),
		bgm(71, "Z39", "Wenn BGM+Z39 vorhanden"),
		req(80, "Wenn MP-ID in SG2 NAD+MR in der Rolle ÜNB", role(true, "ÜNB")),
		req(81, "Wenn MP-ID in SG2 NAD+MS in der Rolle ÜNB", role(false, "ÜNB")),
		req(83, "Wenn in derselben SG9 LIN die Angabe STS+10+Z38 nicht vorhanden", hasNot("SG9", segAt("STS", "10", 1, 0, "Z38"))),
		req(84, "Wenn in derselben SG9 LIN die Angabe STS+10+Z39 nicht vorhanden", hasNot("SG9", segAt("STS", "10", 1, 0, "Z39"))),
		req(85, "Wenn in derselben SG9 LIN die Angabe STS+10+Z36 nicht vorhanden", hasNot("SG9", segAt("STS", "10", 1, 0, "Z36"))),
		req(86, "Wenn in derselben SG9 LIN die Angabe STS+10+Z37 nicht vorhanden", hasNot("SG9", segAt("STS", "10", 1, 0, "Z37"))),
		bgm(90, "Z41", "Wenn BGM+Z41 vorhanden"),
		bgm(91, "Z42", "Wenn BGM+Z42 vorhanden"),
		req(92, "Wenn SG10 QTY DE6063 mit Wert 67 vorhanden", qtyQualifier("67")),
		req(93, "Wenn SG10 QTY DE6063 mit Wert 220 vorhanden", qtyQualifier("220")),
		req(94, "Wenn SG10 QTY DE6063 mit Wert 201 vorhanden", qtyQualifier("201")),
		req(95, "Wenn SG10 QTY DE6063 mit Wert 20 vorhanden", qtyQualifier("20")),
		req(96, "Wenn SG10 QTY DE6063 mit Wert Z18 vorhanden", qtyQualifier("Z18")),
		req(100, "Wenn in derselben SG9 LIN das PIA+5+AUA:Z08 vorhanden", has("SG9", productCode("AUA", "Z08"))),
		req(101, "Wenn in derselben SG9 LIN das PIA+5+FPA:Z08 vorhanden", has("SG9", productCode("FPA", "Z08"))),
		req(111, "Wenn SG10 DTM+9 DE2379 in demselben Segment mit Wert 303 vorhanden", sameSegment(segAt("DTM", "9", 0, 2, "303"))),
		req(113, "wenn SG7 RFF+AGK (Konfigurations-ID) vorhanden", has("SG6", seg("RFF", "AGK"))),
		valueRule(117, "Nur MP-ID aus Sparte Strom", valueSector(false)),
		valueRule(118, "Nur MP-ID aus Sparte Gas", valueSector(true)),
		req(119, "wenn in SG6 LOC+172 DE3225 die ID der Marktlokation angegeben ist", locationIs(ident.TypeMaLo)),
		req(121, "wenn BGM+Z43 (Redispatch Ausfallarbeitüberführungszeitreihe) vorhanden", has("", seg("BGM", "Z43"))),
		req(131, "wenn RFF+AGK (Konfigurations-ID) nicht vorhanden", hasNot("SG6", seg("RFF", "AGK"))),
		req(134, "Wenn SG10 DTM+9 DE2379 in demselben Segment mit Wert 102 vorhanden", sameSegment(segAt("DTM", "9", 0, 2, "102"))),
		valueRule(135, "Der Wert an der Stelle CCYYMMDD muss ≤ dem Wert an der Stelle CCYYMMDD im DE2380 des DTM+137 sein", notAfterMessageDay),
		req(141, "Wenn MP-ID in SG2 NAD+MR in der Rolle MGV", role(true, "MGV")),
		req(142, "wenn im DE3155 in demselben COM der Code EM vorhanden ist", comChannel("EM")),
		req(143, "wenn im DE3155 in demselben COM der Code TE / FX / AJ / AL vorhanden ist", comChannel("TE", "FX", "AJ", "AL")),
		req(145, "Wenn in derselben S9 LIN das SG10 DTM+163 (Beginn Messperiode) nicht vorhanden ist.", hasNot("SG9", seg("DTM", "163"))),
		req(147, "Wenn in derselben S9 LIN das SG10 DTM+7 (Nutzungszeitpunkt) nicht vorhanden ist.", hasNot("SG9", seg("DTM", "7"))),
		req(149, "Wenn in derselben S9 LIN das SG10 DTM+163 (Beginn Messperiode) vorhanden ist.", has("SG9", seg("DTM", "163"))),
		req(150, "Wenn BGM+Z69 (Redispatch tägliche Ausfallarbeitsüberführungszeitreihe) vorhanden.", has("", seg("BGM", "Z69"))),
		req(151, "Wenn BGM+Z27 (Bewegungsdaten im Kalenderjahr vor Lieferbeginn) vorhanden.", has("", seg("BGM", "Z27"))),
		req(152, "Wenn BGM+7 (Prozessdatenbericht) vorhanden.", has("", seg("BGM", "7"))),
		req(492, "Wenn MP-ID in NAD+MR (Nachrichtenempfänger) aus Sparte Strom", receiverSector(false)),
		req(493, "Wenn MP-ID in NAD+MR (Nachrichtenempfänger) aus Sparte Gas", receiverSector(true)),
		externalValue(494, "Das hier genannte Datum muss der Zeitpunkt sein, zu dem das Dokument erstellt wurde, oder ein Zeitpunkt, der davor liegt"),
		valueRule(495, "Der Zeitpunkt muss ≤ dem Wert im DE2380 des DTM+137 sein", notAfterMessageDate),
	}, formatDefs(902, 904, 905, 906, 907, 908, 909, 910, 917, 922, 925, 931, 937, 950, 951, 960))
}
