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

// qualifiers are the names of the qualifier codes (the first element's
// first component) of the segments whose qualifier tells what they hold:
// DTM (DE 2005), IDE (7495), LOC (3227), NAD (3035), RFF (1153), STS
// (9015), as the FV2604 UTILMD and APERAK AHB schemas name them [B:
// shared/ahb-data/edifact-mapper-9270e80, the per-PID schemas
// fv2604/{utilmd,aperak}/pids/*.json of JoschaMetze/edifact_mapper at
// 9270e80 (MIT), extracted from the BDEW AHB/MIG documents, which stay the
// authority]. Codes not listed are shown without a name.
var qualifiers = map[string]map[string]string{
	"DTM": {
		"76": "Lieferdatum/-zeit, geplant", "92": "Datum Vertragsbeginn", "93": "Datum Vertragsende",
		"137": "Dokumenten-/Nachrichtendatum/-zeit", "154": "Annahmedatum eines Dokument",
		"155": "Rechnungsperiode, Beginndatum", "157": "Gültigkeit, Beginndatum", "158": "Bilanzierungsbeginn",
		"159": "Bilanzierungsende", "163": "Verarbeitung, Beginndatum/-zeit", "164": "Verarbeitung, Endedatum/-zeit",
		"171": "Referenzdatum/-zeit", "206": "Endedatum/-zeit", "471": "Ende zum (nächstmöglichem Termin)",
		"752": "Turnusablesung", "Z01": "Kündigungsfrist", "Z05": "gegenüber Kunde bestätigtes Kündigungsdatum",
		"Z06": "gegenüber Lieferant bestätigtes Kündigungsdatum", "Z07": "Lieferbeginndatum in Bearbeitung",
		"Z08": "Datum für nächste Bearbeitung", "Z09": "Nächste Netznutzungsabrechnung", "Z10": "Kündigungstermin",
		"Z15": "\"Bilanzierungsbeginn\" aus Daten der beteiligten Marktrolle",
		"Z16": "\"Bilanzierungsende\" aus Daten der beteiligten Marktrolle", "Z20": "Abrechnungsintervall des LF",
		"Z21": "Termin der Netznutzungsabrechnung",
		"Z22": "Netznutzungsabrechnungs- bzw. Einspeisevergütungsintervall des NB", "Z25": "Verwendung der Daten ab",
		"Z26": "Verwendung der Daten bis",
	},
	"IDE": {
		"24": "Transaktion", "Z01": "Liste",
	},
	"LOC": {
		"172": "Meldepunkt", "Z08": "zukünftiger Meldepunkt", "Z15": "MaBiS-Zählpunkt", "Z16": "Marktlokation",
		"Z17": "Messlokation", "Z18": "Netzlokation", "Z19": "Steuerbare Ressource", "Z20": "Technische Ressource",
		"Z21": "Tranche", "Z22": "Ruhende Marktlokation",
	},
	"NAD": {
		"DP": "Lieferanschrift", "EO": "Anschlussnehmer", "MR": "Nachrichtenempfänger",
		"MS": "Dokumenten-/Nachrichtenaussteller bzw. -absender", "VY": "andere zugehörige Partei",
		"DDO": "Location manager", "Z03": "Messlokationsadresse", "Z04": "Korrespondenzanschrift des Kunden des LF",
		"Z05": "Name und Adresse für die Ablesekarte", "Z07": "Kunde des MSB",
		"Z08": "Korrespondenzanschrift des Kunden des MSB", "Z09": "Kunde des LF", "Z25": "Kunde des NB",
		"Z26": "Korrespondenzanschrift des Kunden des NB", "Z39": "Erwarteter Kunde des MSB",
		"Z40": "Im System vorhandener Kunde des MSB", "Z41": "Erwartete Korrespondenzanschrift des Kunden des MSB",
		"Z42": "Im System vorhandene Korrespondenzanschrift des Kunden des MSB", "Z43": "Erwartete Messlokationsadresse",
		"Z44": "Im System vorhandene Messlokationsadresse", "Z45": "Erwarteter Name und Adresse für die Ablesekarte",
		"Z46": "Im System vorhandener Name und Adresse für die Ablesekarte", "Z47": "Erwarteter Kunde des LF",
		"Z48": "Im System vorhandener Kunde des LF", "Z49": "Erwartete Korrespondenzanschrift des Kunden des LF",
		"Z50": "Im System vorhandene Korrespondenzanschrift des Kunden des LF",
		"Z51": "Erwarteter Kunde des Netzbetreibers", "Z52": "Im System vorhandener Kunde des Netzbetreibers",
		"Z53": "Erwartete Korrespondenzanschrift des Kunden des Netzbetreibers",
		"Z54": "Im System vorhandene Korrespondenzanschrift des Kunden des Netzbetreibers",
		"Z55": "Erwarteter Anschlussnehmer", "Z56": "Im System vorhandener Anschlussnehmer",
		"Z57": "Erwarteter Hausverwalter", "Z58": "Im System vorhandener Hausverwalter",
		"Z59": "Erwartete Marktlokationsanschrift", "Z60": "Im System vorhandene Marktlokationsanschrift",
		"Z63": "Informative Marktlokationsanschrift", "Z64": "Informative Messlokationsadresse",
		"Z65": "Informativer Kunde des LF", "Z66": "Informative Korrespondenzanschrift des Kunden des LF",
		"Z67": "Informativer Kundenname des NB", "Z68": "Informative Korrespondenzanschrift des Kunde des NB",
		"Z69": "Informative Daten des Anschlussnehmers", "Z70": "Informative Daten des Hausverwalters",
	},
	"RFF": {
		"MG": "Gerätenummer des Zählers", "TN": "Transaktions-Referenznummer", "AAV": "Nummer der Anfrage",
		"ACE": "Nummer des zugehörigen Dokuments", "ACW": "Referenznummer einer vorangegangenen Nachricht",
		"AGK": "Anwendungsreferenznummer", "AGO": "Absenderreferenz für die Original-Nachricht",
		"AUU": "Referenz auf eine Zeitreihe", "AVC": "Kundennummer beim Lieferanten", "AVE": "Meldepunkt",
		"Z01": "Kundennummer beim Altlieferanten", "Z05": "Abrechnung des Messstellenbetriebs über NNE",
		"Z10": "OBIS-Kennzahl", "Z11": "Gerätenummer des Mengenumwerters", "Z12": "Referenz auf ein Profil",
		"Z13": "Prüfidentifikator", "Z14": "Smartmeter-Gateway", "Z16": "zugeordnete Marktlokation",
		"Z18": "Marktlokation", "Z19": "Messlokation", "Z20": "Tranche", "Z22": "Beteiligte Marktrolle",
		"Z31": "Lokationsbündelstruktur", "Z32": "Netzlokation",
		"Z33": "Objektcode der Lokation in der Lokationsbündelstruktur", "Z34": "vorgelagerte Messlokation",
		"Z35": "vorgelagerte Netzlokation", "Z37": "Technische Ressource", "Z38": "Steuerbare Ressource",
		"Z39": "Keine standardisierte Lokationsbündelstruktur vorhanden",
		"Z42": "Referenznummer der Nachricht der betroffenen Antwort auf Bestellung (Bestellbestätigung)",
		"Z43": "Referenznummer des Vorgangs der betroffenen Antwort auf Bestellung (Bestellbestätigung)",
		"Z46": "Referenz auf Zeitraum-ID", "Z47": "Im System vorhandene Daten", "Z48": "Erwartete Daten",
		"Z49": "Gültige Daten", "Z50": "Termindaten der Marktlokation", "Z51": "Erwartete Termindaten der Marktlokation",
		"Z52": "Im System vorhandene Termindaten der Marktlokation", "Z53": "Keine Daten",
		"Z54": "Im System keine Daten vorhanden", "Z55": "Keine Daten erwartet",
		"Z60": "Informativ zur Umsetzung geplantes Produktpaket",
	},
	"STS": {
		"7": "Transaktionsgrund", "E01": "Status der Antwort",
		"Z17": "Transaktionsgrundergänzung für befristete Anmeldung", "Z18": "Bilanzkreiszuordnung zur Marktlokation",
		"Z35": "Status der Antwort des dritten Marktbeteiligten",
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
