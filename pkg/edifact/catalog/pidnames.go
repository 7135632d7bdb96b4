package catalog

import (
	"slices"

	"github.com/mako-engine/mako/pkg/fv"
)

// PIDInfo is what edifact.md says about one Prüfidentifikator.
type PIDInfo struct {
	PID  string
	Type string
	// Sector is Strom or Gas for UTILMD (by prefix, §6.2), else unspecified.
	Sector Sector
	// Name is the use case as edifact.md §9 names it; for a PID taken from a
	// §9 range (e.g. "55195–55214") it is the name of the range.
	Name string
	// Role is "request", "confirmation", "rejection" or "answer" where §9
	// gives the PID as part of a request/answer tuple, else "".
	Role string
	// Section is the edifact.md section the name comes from, e.g. "§9.1".
	Section string
}

// pidName is one named PID or PID range of edifact.md §9.
type pidName struct {
	from, to string // inclusive; to == "" for a single PID
	typ      string
	name     string
	role     string
	section  string
}

// tuple expands a §9 "request / confirmation / rejection" triple.
func tuple(typ, section, name string, req, conf, rej string) []pidName {
	return []pidName{
		{from: req, typ: typ, name: name, role: "request", section: section},
		{from: conf, typ: typ, name: name, role: "confirmation", section: section},
		{from: rej, typ: typ, name: name, role: "rejection", section: section},
	}
}

// pidNames restates the PID names of edifact.md §9. Sources named there: §9.1 BNetzA
// BK6-22-024 / BK6-24-174 [A], PID names JoschaMetze/edifact_mapper FV2604 [B], direction/BGM/EBD
// sh-prog-edi/EdifactGenerator docs/STROM_STATUS.md [C]; §9.2, §9.3 edifact_mapper FV2604 [B];
// §9.4, §9.5 [B]. The names are FV2604 names; edifact.md gives none for other FVs. Ranges
// name only PIDs that are in some value list of this catalog (a range like 44109–44182 is not
// contiguous).
var pidNames = slices.Concat(
	// §9.1 GPKE supplier switch (LFW24), UTILMD Strom.
	tuple(UTILMD, "§9.1", "Kündigung (AHB 8.1)", "55016", "55017", "55018"),
	tuple(UTILMD, "§9.1", "Anmeldung verbrauchende MaLo (AHB 8.2)", "55001", "55002", "55003"),
	tuple(UTILMD, "§9.1", "Anmeldung erzeugende MaLo (AHB 8.3)", "55077", "55078", "55080"),
	tuple(UTILMD, "§9.1", "Anmeldung neue verbrauchende MaLo (AHB 8.4)", "55600", "55602", "55604"),
	tuple(UTILMD, "§9.1", "Anmeldung neue erzeugende MaLo (AHB 8.5)", "55601", "55603", "55605"),
	tuple(UTILMD, "§9.1", "Grund-/Ersatzversorgung (AHB 8.6)", "55013", "55014", "55015"),
	tuple(UTILMD, "§9.1", "Ankündigung Zuordnung erzeugende MaLo/Tranche (AHB 8.7)", "55607", "55608", "55609"),
	tuple(UTILMD, "§9.1", "Anfrage Beendigung der Zuordnung (AHB 8.8)", "55010", "55011", "55012"),
	tuple(UTILMD, "§9.1", "Abmeldung durch den LF (AHB 8.9)", "55004", "55005", "55006"),
	tuple(UTILMD, "§9.1", "Abmeldung durch den NB (AHB 8.10)", "55007", "55008", "55009"),
	tuple(UTILMD, "§9.1", "Stornierung", "55022", "55023", "55024"),
	[]pidName{
		{from: "55036", typ: UTILMD, name: "Information über eine bestehende Zuordnung", section: "§9.1"},
		{from: "55037", typ: UTILMD, name: "Information über eine beendete Zuordnung", section: "§9.1"},
		{from: "55038", typ: UTILMD, name: "Information über eine stornierte zukünftige Zuordnung", section: "§9.1"},
		{from: "55611", typ: UTILMD, name: "Information über eine Zuordnung (NB an LF)", section: "§9.1"},
		{from: "55218", typ: UTILMD, name: "Netznutzungsabrechnungsdaten", role: "request", section: "§9.1"},
		{from: "55220", typ: UTILMD, name: "Netznutzungsabrechnungsdaten", role: "answer", section: "§9.1"},
	},
	// §9.2 GeLi Gas, UTILMD Gas.
	tuple(UTILMD, "§9.2", "Anmeldung NN", "44001", "44002", "44003"),
	tuple(UTILMD, "§9.2", "Abmeldung NN", "44004", "44005", "44006"),
	tuple(UTILMD, "§9.2", "Abmeldung NN durch den NB", "44007", "44008", "44009"),
	tuple(UTILMD, "§9.2", "Abmeldeanfrage des NB", "44010", "44011", "44012"),
	tuple(UTILMD, "§9.2", "Anmeldung EOG", "44013", "44014", "44015"),
	tuple(UTILMD, "§9.2", "Kündigung beim alten Lieferanten", "44016", "44017", "44018"),
	tuple(UTILMD, "§9.2", "Stornierung", "44022", "44023", "44024"),
	tuple(UTILMD, "§9.2", "Kündigung MSB", "44039", "44040", "44041"),
	tuple(UTILMD, "§9.2", "Anmeldung MSB", "44042", "44043", "44044"),
	tuple(UTILMD, "§9.2", "Ende MSB", "44051", "44052", "44053"),
	tuple(UTILMD, "§9.2", "Verpflichtungsanfrage", "44168", "44169", "44170"),
	[]pidName{
		{from: "44019", typ: UTILMD, name: "Bestandsliste", section: "§9.2"},
		{from: "44020", typ: UTILMD, name: "Änderung zur Bestandsliste", section: "§9.2"},
		{from: "44021", typ: UTILMD, name: "Antwort zur Bestandsliste", section: "§9.2"},
		{from: "44035", typ: UTILMD, name: "GDA-Antwort", role: "answer", section: "§9.2"},
		{from: "44060", typ: UTILMD, name: "GDA-Antwort", role: "answer", section: "§9.2"},
		{from: "44036", typ: UTILMD, name: "Information über eine bestehende Zuordnung", section: "§9.2"},
		{from: "44037", typ: UTILMD, name: "Information über eine beendete Zuordnung", section: "§9.2"},
		{from: "44038", typ: UTILMD, name: "Information über eine stornierte Zuordnung", section: "§9.2"},
		{from: "44096", to: "44097", typ: UTILMD, name: "Deklarationsliste", section: "§9.2"},
		{from: "44101", to: "44105", typ: UTILMD, name: "Stammdaten MeLo/MaLo", section: "§9.2"},
		{from: "44109", to: "44182", typ: UTILMD, name: "Stammdatenänderungen und -anfragen", section: "§9.2"},
	},
	// §9.3 WiM, Strom and Gas.
	tuple(UTILMD, "§9.3", "Kündigung MSB", "55039", "55040", "55041"),
	tuple(UTILMD, "§9.3", "Anmeldung MSB", "55042", "55043", "55044"),
	tuple(UTILMD, "§9.3", "Ende MSB", "55051", "55052", "55053"),
	tuple(UTILMD, "§9.3", "Verpflichtungsanfrage an den gMSB", "55168", "55169", "55170"),
	[]pidName{
		{from: "17001", typ: ORDERS, name: "Geräteübernahme", role: "request", section: "§9.3"},
		{from: "19001", to: "19002", typ: ORDRSP, name: "Geräteübernahme", role: "answer", section: "§9.3"},
		{from: "17002", typ: ORDERS, name: "Weiterverpflichtung", role: "request", section: "§9.3"},
		{from: "19003", to: "19004", typ: ORDRSP, name: "Weiterverpflichtung", role: "answer", section: "§9.3"},
		{from: "17003", typ: ORDERS, name: "Änderung Technik", role: "request", section: "§9.3"},
		{from: "19005", to: "19006", typ: ORDRSP, name: "Änderung Technik", role: "answer", section: "§9.3"},
		{from: "17009", typ: ORDERS, name: "Gerätewechselabsicht", role: "request", section: "§9.3"},
		{from: "19015", to: "19016", typ: ORDRSP, name: "Gerätewechselabsicht", role: "answer", section: "§9.3"},
		{from: "17005", to: "17006", typ: ORDERS, name: "MSB-Abrechnung über den LF", role: "request", section: "§9.3"},
		{from: "19009", to: "19010", typ: ORDRSP, name: "MSB-Abrechnung über den LF", role: "answer", section: "§9.3"},
		{from: "17118", typ: ORDERS, name: "Konfigurationen", role: "request", section: "§9.3"},
		{from: "17128", to: "17135", typ: ORDERS, name: "Konfigurationen", role: "request", section: "§9.3"},
		{from: "19127", to: "19132", typ: ORDRSP, name: "Konfigurationen", role: "answer", section: "§9.3"},
		{from: "35001", to: "35005", typ: REQOTE, name: "Anfrage (WiM)", role: "request", section: "§9.3"},
		{from: "15001", to: "15005", typ: QUOTES, name: "Angebot (WiM)", role: "answer", section: "§9.3"},
		{from: "21029", to: "21031", typ: IFTSTA, name: "iMS-Ersteinbau", section: "§9.3"},
		{from: "21007", to: "21044", typ: IFTSTA, name: "Geräte-/Auftragsstatus", section: "§9.3"},
		{from: "23001", to: "23012", typ: INSRPT, name: "Störungsmeldung (MSB)", section: "§9.3"},
		{from: "25001", to: "25010", typ: UTILTS, name: "Berechnungsformel, Zählzeit-/Schaltzeitdefinitionen", section: "§9.3"},
		{from: "31003", typ: INVOIC, name: "Rechnung (WiM)", section: "§9.3"},
		{from: "31009", typ: INVOIC, name: "Rechnung (MSB)", section: "§9.3"},
	},
	// §9.4 MaBiS.
	[]pidName{
		{from: "55062", to: "55064", typ: UTILMD, name: "(De-)Aktivierung eines ZP", section: "§9.4"},
		{from: "55065", to: "55066", typ: UTILMD, name: "Lieferanten-Clearingliste", section: "§9.4"},
		{from: "55067", typ: UTILMD, name: "Bilanzkreiszuordnungsliste", section: "§9.4"},
		{from: "55069", to: "55070", typ: UTILMD, name: "Clearingliste DZR/BAS", section: "§9.4"},
		{from: "55071", to: "55072", typ: UTILMD, name: "Zuordnungsermächtigung", section: "§9.4"},
		{from: "55073", typ: UTILMD, name: "Profildefinitionen", section: "§9.4"},
		{from: "55195", to: "55214", typ: UTILMD, name: "Clearinglisten, Aktivierungen AAÜZ/LF-AASZR", section: "§9.4"},
		{from: "55223", to: "55224", typ: UTILMD, name: "DZÜ-Liste", section: "§9.4"},
		{from: "17201", to: "17211", typ: ORDERS, name: "MaBiS-Bestellung", role: "request", section: "§9.4"},
		{from: "19204", typ: ORDRSP, name: "MaBiS-Bestellantwort", role: "answer", section: "§9.4"},
		{from: "21000", to: "21005", typ: IFTSTA, name: "MaBiS-Statusmeldung (BGM Z03)", section: "§9.4"},
		{from: "27001", typ: PRICAT, name: "Ausgleichsenergiepreise", section: "§9.4"},
	},
	// §9.5 MSCONS (FV2604).
	[]pidName{
		{from: "13002", typ: MSCONS, name: "Zählerstand Gas", section: "§9.5"},
		{from: "13003", typ: MSCONS, name: "Summenzeitreihe", section: "§9.5"},
		{from: "13005", typ: MSCONS, name: "EEG-Überführungszeitreihe", section: "§9.5"},
		{from: "13006", typ: MSCONS, name: "Messwert-Storno", section: "§9.5"},
		{from: "13007", typ: MSCONS, name: "Gasbeschaffenheit", section: "§9.5"},
		{from: "13008", typ: MSCONS, name: "Lastgang Gas", section: "§9.5"},
		{from: "13009", typ: MSCONS, name: "Energiemenge Gas", section: "§9.5"},
		{from: "13010", typ: MSCONS, name: "normiertes Profil", section: "§9.5"},
		{from: "13011", typ: MSCONS, name: "Profilschar", section: "§9.5"},
		{from: "13012", typ: MSCONS, name: "TEP-Referenz", section: "§9.5"},
		{from: "13013", typ: MSCONS, name: "MMMA Allokationsliste", section: "§9.5"},
		{from: "13014", typ: MSCONS, name: "bilanzierte Menge", section: "§9.5"},
		{from: "13015", typ: MSCONS, name: "Arbeit/Leistungsmaximum im Kalenderjahr vor Lieferbeginn", section: "§9.5"},
		{from: "13016", typ: MSCONS, name: "Energiemenge und Leistungsmaximum Strom", section: "§9.5"},
		{from: "13017", typ: MSCONS, name: "Zählerstand Strom (UNB 0026 = VL)", section: "§9.5"},
		{from: "13018", typ: MSCONS, name: "Lastgang MeLo/NKP/NeLo", section: "§9.5"},
		{from: "13019", typ: MSCONS, name: "Energiemenge Strom", section: "§9.5"},
		{from: "13020", to: "13023", typ: MSCONS, name: "Redispatch / Ausfallarbeit", section: "§9.5"},
		{from: "13024", typ: MSCONS, name: "zurückgezogen (withdrawn)", section: "§9.5"},
		{from: "13025", typ: MSCONS, name: "Lastgang MaLo/Tranche", section: "§9.5"},
		{from: "13026", typ: MSCONS, name: "EEG-Überführungszeitreihe wegen Ausfallarbeit", section: "§9.5"},
		{from: "13027", typ: MSCONS, name: "Werte nach Typ 2", section: "§9.5"},
		{from: "13028", typ: MSCONS, name: "Grundlage POG-Ermittlung", section: "§9.5"},
	},
)

// inAnyList reports whether pid is in some value list of the catalog.
func inAnyList(typ, pid string) bool {
	for _, fvs := range []string{"FV2510", "FV2604"} {
		if _, ok := slices.BinarySearch(fixturePIDs[fvs][typ], pid); ok {
			return true
		}
	}
	for _, l := range fv2610Changes.add {
		if slices.Contains(l, pid) {
			return true
		}
	}
	return false
}

// DescribePID returns what edifact.md §9 says about pid: its use case name,
// role in a request/answer tuple, and the section. A single named PID
// (e.g. 55001) is described even if no value list contains it; a PID that
// is only covered by a §9 range must also be in one of the catalog's value
// lists. The first, most specific entry wins (21029 is "iMS-Ersteinbau",
// not the wider 21007–21044 range). Reports false when §9 does not name pid.
func DescribePID(pid string) (PIDInfo, bool) {
	if !ValidPIDFormat(pid) {
		return PIDInfo{}, false
	}
	for _, n := range pidNames {
		single := n.to == ""
		if single && pid != n.from {
			continue
		}
		if !single && (pid < n.from || pid > n.to || !inAnyList(n.typ, pid)) {
			continue
		}
		_, sector, _ := PIDMessageType(pid, fv.Version{})
		return PIDInfo{PID: pid, Type: n.typ, Sector: sector, Name: n.name, Role: n.role, Section: n.section}, true
	}
	return PIDInfo{}, false
}

// NamedPIDs returns every PID edifact.md §9 names individually or that a §9
// range covers within the catalog's value lists, with its description,
// sorted by PID.
func NamedPIDs() []PIDInfo {
	seen := map[string]bool{}
	var out []PIDInfo
	for _, n := range pidNames {
		cands := []string{n.from}
		if n.to != "" {
			cands = cands[:0]
			for _, fvs := range []string{"FV2510", "FV2604"} {
				for _, p := range fixturePIDs[fvs][n.typ] {
					if p >= n.from && p <= n.to {
						cands = append(cands, p)
					}
				}
			}
		}
		for _, p := range cands {
			if seen[p] {
				continue
			}
			if info, ok := DescribePID(p); ok {
				seen[p] = true
				out = append(out, info)
			}
		}
	}
	slices.SortFunc(out, func(a, b PIDInfo) int {
		switch {
		case a.PID < b.PID:
			return -1
		case a.PID > b.PID:
			return 1
		}
		return 0
	})
	return out
}
