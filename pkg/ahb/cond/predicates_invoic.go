package cond

import (
	"strconv"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fristen"
)

// Predicate table of the INVOIC AHB (condition texts from ../shared/ahb-data
// …/Rechnungsstellung/INVOIC/pruef-ids/_bedingungen.js). INVOIC groups: SG2
// NAD, SG26 LIN (position) with SG39 ALC, SG50 MOA (totals), SG52 TAX; the
// header is everything before the first LIN.

// header returns the segments before the first LIN (or UNS).
func (sc *Scope) header() ([]edifact.Segment, bool) {
	if sc.Msg == nil {
		return nil, false
	}
	segs := sc.Msg.Segments
	for i := range segs {
		if segs[i].Tag == "LIN" || segs[i].Tag == "UNS" {
			return segs[:i], true
		}
	}
	return segs, true
}

// inHeader returns a predicate: the message header holds a segment m.
func inHeader(m func(*edifact.Segment) bool) Predicate {
	return func(sc *Scope) Tri {
		segs, ok := sc.header()
		if !ok {
			return Unknown
		}
		for i := range segs {
			if m(&segs[i]) {
				return True
			}
		}
		return False
	}
}

func notP(p Predicate) Predicate { return func(sc *Scope) Tri { return p(sc).Not() } }

// imd matches the header IMD++code (DE7081).
func imd(codes ...string) func(*edifact.Segment) bool { return segAt("IMD", "", 1, 0, codes...) }

// dtmInstant reads a DTM of format 303 (UTC) or 102 (a German calendar
// day, taken at 00:00 German time).
func dtmInstant(s *edifact.Segment) (time.Time, bool) {
	v, f := s.Value(0, 1), s.Element(0).Component(2) // unescaped: 303 carries "?+00"
	switch {
	case f.Equal("303"):
		return parse303(v)
	case f.Equal("102"):
		if len(v) != 8 || !allDigits(v) {
			return time.Time{}, false
		}
		y, _ := strconv.Atoi(v[:4])
		m, _ := strconv.Atoi(v[4:6])
		d, _ := strconv.Atoi(v[6:])
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, fristen.Berlin())
		if t.Day() != d || t.Month() != time.Month(m) {
			return time.Time{}, false
		}
		return t, true
	}
	return time.Time{}, false
}

// dateCompare: "Wenn [SG26] DTM+q (…) ≥ / ≤ d.m.y 0:00 gesetzlicher
// deutscher Zeit" — in the header (g == "") or the line's group g. False
// when the DTM is absent; Unknown when its value cannot be read.
func dateCompare(g, qual string, atLeast bool, y int, m time.Month, d int) Predicate {
	limit := time.Date(y, m, d, 0, 0, 0, 0, fristen.Berlin())
	return func(sc *Scope) Tri {
		var segs []edifact.Segment
		if g == "" {
			h, ok := sc.header()
			if !ok {
				return Unknown
			}
			segs = h
		} else {
			sp, ok := sc.within(g)
			if !ok {
				return Unknown
			}
			segs = sc.segs(sp)
		}
		for i := range segs {
			if !segs[i].Is("DTM", qual) {
				continue
			}
			t, ok := dtmInstant(&segs[i])
			if !ok {
				return Unknown
			}
			if atLeast {
				return TriOf(!t.Before(limit))
			}
			return TriOf(!t.After(limit))
		}
		return False
	}
}

// amountDue: "Wenn fälliger Betrag (SG50 MOA+9) ≥ 0 / < 0".
func amountDue(nonNegative bool) Predicate {
	return func(sc *Scope) Tri {
		if sc.Msg == nil {
			return Unknown
		}
		s, _ := sc.Msg.Find(0, "MOA", "9")
		if s == nil {
			return Unknown
		}
		f, ok := number(s.Value(0, 1))
		if !ok {
			return Unknown
		}
		return TriOf((f >= 0) == nonNegative)
	}
}

// receiverCountry: "Wenn NAD+MR DE3207 = / <> „DE“".
func receiverCountry(de bool) Predicate {
	return func(sc *Scope) Tri {
		if sc.Msg == nil {
			return Unknown
		}
		s, _ := sc.Msg.Find(0, "NAD", "MR")
		if s == nil || s.Element(8).IsEmpty() {
			return Unknown
		}
		return TriOf(s.Element(8).Component(0).Equal("DE") == de)
	}
}

// germanTime: [490]/[491] "wenn Wert in diesem DE, an der Stelle
// CCYYMMDDHHMM ein Zeitpunkt aus dem angegeben Zeitraum der Tabelle …
// gesetzliche deutsche Sommerzeit (Winterzeit)" — the instant lies in
// German summer (winter) time, by the tz database.
func germanTime(summer bool) Predicate {
	return func(sc *Scope) Tri {
		t, ok := parse303(sc.Value)
		if !ok {
			return Unknown
		}
		_, off := t.In(fristen.Berlin()).Zone()
		return TriOf((off == 2*3600) == summer)
	}
}

// qtyUnit: "Wenn in diesem Segment DE6411 = …" on a QTY (C186 6411).
func qtyUnit(codes ...string) Predicate {
	return func(sc *Scope) Tri {
		s := sc.segment()
		if s == nil || s.Tag != "QTY" {
			return Unknown
		}
		return TriOf(oneOf(s.Element(0).Component(2), codes))
	}
}

// alc matches ALC+kind+:code (DE5463, C552 5189).
func alc(kind string, codes ...string) func(*edifact.Segment) bool {
	return func(s *edifact.Segment) bool {
		return s.Is("ALC", kind) && (len(codes) == 0 || oneOf(s.Element(1).Component(1), codes))
	}
}

// invoicPredicates is the predicate table of the INVOIC AHB.
func invoicPredicates() []def {
	return []def{
		external(1, "Wenn in zu stornierender Rechnung gefüllt"),
		external(2, "Wenn es sich um eine Nutzungsüberlassung (Pacht) eines Gerätes handelt"),
		external(3, "Wenn es sich um einen Kauf eines Gerätes handelt"),
		external(4, "Wenn Steuerschuldnerschaft des Leistungsempfängers vorliegt"),
		req(5, "Wenn NAD+MR DE3207 <> „DE“", receiverCountry(false)),
		req(6, "Wenn NAD+MR DE3207 = „DE“", receiverCountry(true)),
		external(8, "Bei zeitabhängigen Preisen"),
		req(9, "Wenn SG26 DTM+203 nicht vorhanden", hasNot("SG26", seg("DTM", "203"))),
		req(10, "Wenn SG26 DTM+155/156 nicht vorhanden", hasNot("SG26", segAt("DTM", "", 0, 0, "155", "156"))),
		external(11, "Wenn Abschlag anfällt"),
		req(12, "Wenn SG26 QTY+136 vorhanden", has("SG26", seg("QTY", "136"))),
		external(13, "Wenn vorausbezahlter Betrag vorliegt"),
		req(14, "Wenn in selben SG26 LIN DE7140 =\"9990001000748\" (Mehrmenge)", has("SG26", segAt("LIN", "", 2, 0, "9990001000748"))),
		external(15, "Wenn eine Bilanzierung erfolgt ist"),
		external(16, "Wenn eine Netznutzung erfolgt ist"),
		req(17, "Wenn DTM+Z11 vorhanden", inHeader(seg("DTM", "Z11"))),
		req(18, "Wenn IMD++WIM nicht vorhanden", notP(inHeader(imd("WIM")))),
		req(19, "Wenn IMD++WIM vorhanden", inHeader(imd("WIM"))),
		req(20, "Wenn fälliger Betrag (SG50 MOA+9) ≥ 0", amountDue(true)),
		req(21, "Wenn fälliger Betrag (SG50 MOA+9) < 0", amountDue(false)),
		req(22, "Wenn vorhanden", presentIsTrue),
		req(23, "Wenn im selben NAD DE3124 nicht vorhanden", sameSegment(func(s *edifact.Segment) bool { return s.Tag == "NAD" && s.Element(2).IsEmpty() })),
		req(26, "Wenn SG39 ALC+A+:Z04 vorhanden", has("SG26", alc("A", "Z04"))),
		req(27, "Wenn SG39 ALC+C vorhanden", has("SG26", alc("C"))),
		external(28, "Wenn Zuschlag anfällt"),
		req(30, "Wenn MP-ID in NAD+MR nicht in der Rolle MGV oder KN", notP(role(true, "MGV", "KN"))),
		req(32, "Wenn SG39 ALC+A+:Z01 (Gemeinderabatt) vorhanden", has("SG26", alc("A", "Z01"))),
		external(34, "Wenn in Ursprungsrechnung vorhanden"),
		req(36, "Wenn DTM+156 (Abrechnungszeitraum Ende) ≥ 01.12.2019", dateCompare("", "156", true, 2019, time.December, 1)),
		external(37, "Wenn Lieferschein zuvor ausgetauscht wurde"),
		req(41, "Wenn IMD++SOR vorhanden", inHeader(imd("SOR"))),
		req(44, "Wenn IMD++ABS nicht vorhanden", notP(inHeader(imd("ABS")))),
		valueRule(45, "Nur MP-ID aus Sparte Strom", valueSector(false)),
		req(47, "Wenn IMD++Z43 vorhanden", inHeader(imd("Z43"))),
		req(48, "Wenn IMD++Z44 vorhanden", inHeader(imd("Z44"))),
		req(49, "Wenn IMD++Z43 und IMD+Z44 nicht vorhanden", notP(inHeader(imd("Z43", "Z44")))),
		req(50, "Wenn IMD++SOR nicht vorhanden", notP(inHeader(imd("SOR")))),
		req(51, "Wenn SG26 DTM+156 (Positionsbezogener Abrechnungszeitraum Ende) ≤ 1.1.2023 0:00 gesetzlicher deutscher Zeit", dateCompare("SG26", "156", false, 2023, time.January, 1)),
		req(53, "Wenn IMD++Z45 vorhanden", inHeader(imd("Z45"))),
		req(54, "Wenn IMD++ABR/JVR/ZVR vorhanden", inHeader(imd("ABR", "JVR", "ZVR"))),
		req(55, "Wenn IMD++ABS vorhanden", inHeader(imd("ABS"))),
		req(56, "Wenn DTM+137 (Nachrichtendatum ≥ 1.1.2023", dateCompare("", "137", true, 2023, time.January, 1)),
		req(57, "Wenn DTM+156 (Abrechnungszeitraum Ende) ≤ 1.", dateCompare("", "156", false, 2023, time.January, 1)),
		req(58, "Wenn in dieser SG52 MOA+113 vorhanden", has("SG52", seg("MOA", "113"))),
		req(59, "Wenn SG26 DTM+155 (Positionsbezogener Abrechnungszeitraum Beginn) ≥ 1.1.2023", dateCompare("SG26", "155", true, 2023, time.January, 1)),
		req(60, "Wenn DTM+203 DE2379 in demselben Segment mit Wert 303 vorhanden", sameSegment(segAt("DTM", "203", 0, 2, "303"))),
		req(61, "Wenn DTM+203 DE2379 in demselben Segment mit Wert 102 vorhanden", sameSegment(segAt("DTM", "203", 0, 2, "102"))),
		req(64, "Wenn DTM+156 (Abrechnungszeitraum Ende) ≤ 1.", dateCompare("", "156", false, 2024, time.January, 1)),
		req(65, "Wenn SG26 DTM+155 (Positionsbezogener Abrechnungszeitraum Beginn) ≥ 1.1.2024", dateCompare("SG26", "155", true, 2024, time.January, 1)),
		req(66, "Wenn IMD++KON vorhanden", inHeader(imd("KON"))),
		req(70, "Wenn IMD++Z45 nicht vorhanden", notP(inHeader(imd("Z45")))),
		req(71, "Wenn DTM+155 (Abrechnungszeitraum Beginn) ≥ 1.1.2024 0:00 gesetzlicher deutscher Zeit", dateCompare("", "155", true, 2024, time.January, 1)),
		req(73, "Wenn IMD++MSB vorhanden", inHeader(imd("MSB"))),
		req(74, "wenn im DE3155 in demselben COM der Code EM vorhanden ist", comChannel("EM")),
		req(75, "wenn im DE3155 in demselben COM der Code TE / FX / AJ / AL vorhanden ist", comChannel("TE", "FX", "AJ", "AL")),
		req(77, "Wenn SG26 DTM+156 (Positionsbezogener Abrechnungszeitraum Ende) ≤ 1.1.2024 0:00 gesetzlicher deutscher Zeit", dateCompare("SG26", "156", false, 2024, time.January, 1)),
		req(78, "Wenn GEI+Z08 nicht vorhanden", notP(inHeader(seg("GEI", "Z08")))),
		req(79, "Wenn GEI+Z09 nicht vorhanden", notP(inHeader(seg("GEI", "Z09")))),
		req(80, "Wenn GEI+Z01 nicht vorhanden", notP(inHeader(seg("GEI", "Z01")))),
		req(81, "Wenn GEI+Z04 nicht vorhanden", notP(inHeader(seg("GEI", "Z04")))),
		req(82, "Wenn GEI+Z05 nicht vorhanden", notP(inHeader(seg("GEI", "Z05")))),
		req(83, "Wenn GEI+Z10 nicht vorhanden", notP(inHeader(seg("GEI", "Z10")))),
		req(84, "Wenn in dieser SG39 ALC+C+:Z02 / Z03 / Z04 vorhanden", has("SG39", alc("C", "Z02", "Z03", "Z04"))),
		req(85, "Wenn in diesem Segment DE6411 = DAY", qtyUnit("DAY")),
		req(86, "Wenn in diesem Segment DE6411 = MON/ANN", qtyUnit("MON", "ANN")),
		req(87, "Wenn IMD++TEC vorhanden", inHeader(imd("TEC"))),
		req(88, "Wenn DTM+155 (Abrechnungszeitraum Beginn) ≥ 1.1.2026", dateCompare("", "155", true, 2026, time.January, 1)),
		format(490, "wenn Wert in diesem DE, an der Stelle CCYYMMDDHHMM ein Zeitpunkt aus dem angegeben Zeitraum der Tabelle Kapitel 3.5", germanTime(true)),
		format(491, "wenn Wert in diesem DE, an der Stelle CCYYMMDDHHMM ein Zeitpunkt aus dem angegeben Zeitraum der Tabelle Kapitel 3.6", germanTime(false)),
		req(492, "aus Sparte Strom", receiverSector(false)),
		req(493, "aus Sparte Gas", receiverSector(true)),
	}
}
