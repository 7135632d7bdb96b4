package catalog

// segmentNames are the German names of the segments of the EDI@Energy
// messages mako handles (UTILMD, APERAK, CONTRL, MSCONS), as the BDEW
// message implementation guides title them [B: EDI@Energy MIG UTILMD Strom
// S2.1/S2.2, APERAK 2.1, CONTRL 2.0, MSCONS 2.4; UN/EDIFACT syntax 4 for the
// service segments].
var segmentNames = map[string]string{
	"UNA": "Trennzeichen-Vorgabe", "UNB": "Nutzdaten-Kopfsegment", "UNZ": "Nutzdaten-Endsegment",
	"UNH": "Nachrichten-Kopfsegment", "UNT": "Nachrichten-Endsegment", "BGM": "Beginn der Nachricht",
	"DTM": "Datum/Uhrzeit/Zeitspanne", "NAD": "Name und Adresse", "IDE": "Identifikation (Vorgang)",
	"STS": "Status", "LOC": "Ortsangabe", "RFF": "Referenz", "CTA": "Ansprechpartner", "COM": "Kommunikationsverbindung",
	"ERC": "Fehlermeldung (Anwendung)", "FTX": "Freier Text", "UCI": "Übertragungsdatei-Antwort",
	"UCM": "Nachrichten-Antwort", "UCS": "Segment-Fehlerangabe", "UCD": "Datenelement-Fehlerangabe",
	"AGR": "Vereinbarung", "SEQ": "Reihenfolge/Zuordnung", "CCI": "Merkmal/Klasse", "CAV": "Merkmalswert",
	"QTY": "Menge", "PIA": "Produktidentifikation", "LIN": "Position", "UNS": "Abschnitts-Kontrollsegment",
	"CUX": "Währungsangaben", "MOA": "Geldbetrag", "PRI": "Preisangaben", "TAX": "Steuerangaben",
}

// qualifiers are the meanings of the qualifiers (first element, first
// component) of segments whose qualifier tells what the segment holds,
// by segment tag [B: EDI@Energy MIG UTILMD Strom S2.2 and APERAK 2.1 code
// lists; UN/EDIFACT D.11A DE 2005 (DTM), 3035 (NAD), 1153 (RFF), 3227
// (LOC), 7495/9015 (STS), 7405 (IDE)]. Codes not listed are shown without
// a meaning.
var qualifiers = map[string]map[string]string{
	"DTM": {
		"137": "Nachrichtendatum", "92": "Beginn / Gültig ab", "93": "Ende / Gültig bis", "735": "Offset zur UTC",
		"157": "Gültigkeitsbeginn", "158": "Beginn Messperiode", "159": "Ende Messperiode", "163": "Beginn Zeitraum",
		"164": "Ende Zeitraum", "171": "Referenzdatum", "471": "Ende zum (nächstmöglichen Termin)",
		"752": "Bilanzierungsbeginn", "Z05": "Zeitpunkt der Ablesung", "Z07": "Kündigungsfrist", "Z01": "Kündigungstermin",
		"Z25": "Verwendung der Daten ab", "Z26": "Verwendung der Daten bis",
	},
	"NAD": {
		"MS": "Absender (Marktpartner)", "MR": "Empfänger (Marktpartner)", "Z09": "Kunde des Lieferanten",
		"VY": "Lieferant (neu)", "DDO": "Kunde / Korrespondenzanschrift", "DP": "Lieferanschrift",
		"Z04": "Korrespondenzanschrift des Endverbrauchers", "UD": "Endverbraucher", "EO": "Eigentümer",
		"DEB": "Messstellenbetreiber", "Z05": "Name und Adresse für Ablesekarte",
	},
	"RFF": {
		"Z13": "Prüfidentifikator", "TN": "Referenz auf die Vorgangsnummer", "ACW": "Referenz auf vorherige Nachricht/Vorgang",
		"AGO": "Referenz auf die Nachricht (BGM) der Anfrage", "ACE": "Referenz auf das Dokument", "Z07": "Referenz auf die Meldung",
		"Z22": "Referenz auf die ursprüngliche Transaktion", "Z38": "Referenz auf Vorgangsnummer der Anfrage",
		"Z19": "Referenz auf die Messlokation", "Z18": "Referenz auf die Marktlokation",
	},
	"LOC": {
		"Z16": "Marktlokation", "Z17": "Messlokation", "Z18": "Netzlokation", "Z19": "Steuerbare Ressource",
		"Z20": "Technische Ressource", "Z15": "MaBiS-Zählpunkt", "172": "Meldepunkt", "Z01": "Ort der Fehlerursache",
	},
	"STS": {
		"7": "Transaktionsgrund", "E01": "Status der Antwort", "Z35": "Status der Antwort des Dritten",
		"Z33": "Transaktionsgrundergänzung",
	},
	"IDE": {
		"24": "Vorgang (Transaktionsnummer)", "Z01": "Vorgang",
	},
}

// SegmentName returns the German name of a segment tag.
func SegmentName(tag string) (string, bool) {
	n, ok := segmentNames[tag]
	return n, ok
}

// QualifierMeaning returns the meaning of qualifier q of segment tag (the
// first component of its first element).
func QualifierMeaning(tag, q string) (string, bool) {
	m, ok := qualifiers[tag][q]
	return m, ok
}
