package gpke

// Use case table of the GPKE supplier switch (edifact.md §9.1, taken from the
// EDI@Energy UTILMD AHB Strom chapters 8.1–8.10 and the EBD metadata of
// Hochfrequenz machine-readable_entscheidungsbaumdiagramme FV2604): request
// PID, confirmation and rejection PID, BGM document code and the EBD the
// answering side decides by.
type useCase struct {
	Name     string
	Request  string
	Confirm  string
	Reject   string
	BGM      string
	EBD      string
	Workflow string // the workflow that answers the request
}

// PIDs of the supplier switch (edifact.md §9.1).
const (
	PIDAnmeldung          = "55001"
	PIDAnmeldungBestaetig = "55002"
	PIDAnmeldungAblehnung = "55003"
	PIDAbmeldungLF        = "55004"
	PIDAbmeldungLFBest    = "55005"
	PIDAbmeldungLFAbl     = "55006"
	PIDBeendigungNB       = "55007"
	PIDBeendigungNBBest   = "55008"
	PIDBeendigungNBAbl    = "55009"
	PIDAnfrageBeendigung  = "55010"
	PIDAnfrageBest        = "55011"
	PIDAnfrageAbl         = "55012"
	PIDKuendigung         = "55016"
	PIDKuendigungBest     = "55017"
	PIDKuendigungAbl      = "55018"
	PIDStorno             = "55022"
	PIDStornoBest         = "55023"
	PIDStornoAbl          = "55024"
	PIDAnmeldungErz       = "55077"
	PIDAnmeldungErzBest   = "55078"
	PIDAnmeldungErzAbl    = "55080"
)

// EBD identifiers (DE1131 in STS+E01, edifact.md §9.1).
const (
	EBDLieferbeginnDirekt = "E_0622" // NB: Prüfen, ob Anmeldung direkt ablehnbar
	EBDLieferbeginn       = "E_0623" // NB: Lieferbeginn prüfen
	EBDAnfrageBeendigung  = "E_0624" // LFA: Anfrage zur Beendigung der Zuordnung prüfen
	EBDAbmeldungNB        = "E_0607" // NB: Abmeldung prüfen (Lieferende LF → NB)
	EBDAbmeldungLF        = "E_0609" // LF: Abmeldung prüfen (Lieferende NB → LF)
	EBDKuendigung         = "E_0614" // LFA: Kündigung Vertrag prüfen
)

// Workflow names.
const (
	WorkflowNBLieferbeginn  = "gpke.nb.lieferbeginn"  // NB answers 55001/55077, asks the LFA (55010), ends its assignment (55007)
	WorkflowNBLieferende    = "gpke.nb.lieferende"    // NB answers the LF's Abmeldung 55004
	WorkflowLFABeendigung   = "gpke.lfa.beendigung"   // LFA answers the NB's Anfrage 55010
	WorkflowLFAbmeldung     = "gpke.lf.abmeldung"     // LF answers the NB's Beendigung der Zuordnung 55007
	WorkflowLFAKuendigung   = "gpke.lfa.kuendigung"   // LFA answers the LFN's Kündigung 55016
	WorkflowLFNLieferbeginn = "gpke.lfn.lieferbeginn" // LFN sends 55001/55077 (ERP RegisterSupplyStart)
	WorkflowLFNKuendigung   = "gpke.lfn.kuendigung"   // LFN sends 55016 (ERP RequestTermination)
	WorkflowLFLieferende    = "gpke.lf.lieferende"    // LF sends 55004 (ERP RegisterSupplyEnd)
	WorkflowStornoAnswer    = "gpke.storno"           // NB or LF answers a Stornierung 55022
	WorkflowStornoRequest   = "gpke.storno.request"   // sends a Stornierung 55022 for a RequestCancellation executed in it directly (the ERP's goes to the sending process)
)

var useCases = []useCase{
	{Name: "Kündigung", Request: PIDKuendigung, Confirm: PIDKuendigungBest, Reject: PIDKuendigungAbl, BGM: "E35", EBD: EBDKuendigung, Workflow: WorkflowLFAKuendigung},
	{Name: "Anmeldung verbrauchende MaLo", Request: PIDAnmeldung, Confirm: PIDAnmeldungBestaetig, Reject: PIDAnmeldungAblehnung, BGM: "E01", EBD: EBDLieferbeginn, Workflow: WorkflowNBLieferbeginn},
	{Name: "Anmeldung erzeugende MaLo", Request: PIDAnmeldungErz, Confirm: PIDAnmeldungErzBest, Reject: PIDAnmeldungErzAbl, BGM: "E01", EBD: EBDLieferbeginn, Workflow: WorkflowNBLieferbeginn},
	{Name: "Anfrage Beendigung der Zuordnung", Request: PIDAnfrageBeendigung, Confirm: PIDAnfrageBest, Reject: PIDAnfrageAbl, BGM: "E02", EBD: EBDAnfrageBeendigung, Workflow: WorkflowLFABeendigung},
	{Name: "Abmeldung durch den LF", Request: PIDAbmeldungLF, Confirm: PIDAbmeldungLFBest, Reject: PIDAbmeldungLFAbl, BGM: "E02", EBD: EBDAbmeldungNB, Workflow: WorkflowNBLieferende},
	{Name: "Abmeldung durch den NB", Request: PIDBeendigungNB, Confirm: PIDBeendigungNBBest, Reject: PIDBeendigungNBAbl, BGM: "E02", EBD: EBDAbmeldungLF, Workflow: WorkflowLFAbmeldung},
	// Stornierung: BGM follows the category of the cancelled message (AHB
	// 55022 note [500]); answer codes come from code lists S_0086/S_0087,
	// not from an EBD (machine-readable_anwendungshandbuecher FV2504 55022.csv).
	{Name: "Stornierung", Request: PIDStorno, Confirm: PIDStornoBest, Reject: PIDStornoAbl, BGM: "", EBD: "", Workflow: WorkflowStornoAnswer},
}

// bgmOf returns the BGM category of pid's use case ("" if it has none or
// pid belongs to no use case).
func bgmOf(pid string) string {
	uc, _ := useCaseOf(pid)
	return uc.BGM
}

// useCaseOf returns the use case a PID belongs to (as request or answer).
func useCaseOf(pid string) (useCase, bool) {
	for _, u := range useCases {
		if u.Request == pid || u.Confirm == pid || u.Reject == pid {
			return u, true
		}
	}
	return useCase{}, false
}

// isRequest reports whether pid opens a use case.
func isRequest(pid string) bool {
	u, ok := useCaseOf(pid)
	return ok && u.Request == pid
}
