package geligas

import "github.com/mako-engine/mako/pkg/fv"

// PIDs of the GeLi Gas processes of the package (UTILMD Gas, AHB FV2610 =
// MIG G1.2 and FV2604; names and chapters as the AHB's process table gives
// them: edifactgenerator 202610 UTILMD/Gas/pruef-ids/_prozess-meta.js and
// _form-meta.js "beschreibung").
const (
	PIDAnmeldung          = "44001" // 5.6 Anmeldung NN (LF → NB)
	PIDAnmeldungBest      = "44002" // Bestätigung Anmeldung (NB → LF)
	PIDAnmeldungAbl       = "44003" // Ablehnung Anmeldung (NB → LF)
	PIDAbmeldung          = "44004" // 5.5 Abmeldung NN (LF → NB)
	PIDAbmeldungBest      = "44005" // Bestätigung Abmeldung (NB → LF)
	PIDAbmeldungAbl       = "44006" // Ablehnung Abmeldung (NB → LF)
	PIDAbmeldungNB        = "44007" // 5.4 Abmeldung NN vom NB (NB → LF)
	PIDAbmeldungNBBest    = "44008" // Bestätigung Abmeldung vom NB (LF → NB)
	PIDAbmeldungNBAbl     = "44009" // Ablehnung Abmeldung vom NB (LF → NB)
	PIDAbmeldeanfrage     = "44010" // 5.7 Abmeldungsanfrage des NB (NB → LFA)
	PIDAbmeldeanfrageBest = "44011" // Bestätigung Abmeldungsanfrage (LFA → NB)
	PIDAbmeldeanfrageAbl  = "44012" // Ablehnung Abmeldungsanfrage (LFA → NB)
	PIDEoG                = "44013" // 5.9 Anmeldung EoG (NB → Grund-/Ersatzversorger)
	PIDEoGBest            = "44014" // Bestätigung EoG Anmeldung (LF → NB)
	PIDEoGAbl             = "44015" // Ablehnung EoG Anmeldung (LF → NB)
	PIDKuendigung         = "44016" // 5.3 Kündigung beim alten Lieferanten (LFN → LFA)
	PIDKuendigungBest     = "44017" // Bestätigung Kündigung (LFA → LFN)
	PIDKuendigungAbl      = "44018" // Ablehnung Kündigung (LFA → LFN)
	PIDStorno             = "44022" // 5.2 Anfrage nach Stornierung
	PIDStornoBest         = "44023" // Bestätigung Anfrage Stornierung
	PIDStornoAbl          = "44024" // Ablehnung Anfrage Stornierung
	PIDInfoZuordnung      = "44036" // 5.8 Informationsmeldung über existierende Zuordnung (NB → LFN)
	PIDInfoBeendigung     = "44037" // Informationsmeldung zur Beendigung der Zuordnung (NB → LFA)
	PIDInfoAufhebung      = "44038" // Informationsmeldung zur Aufhebung einer zukünftigen Zuordnung (NB → künftiger LF)
)

// EBD identifiers of GeLi Gas (../shared/reference/ebd-fv2610, metadata of
// E_3001 … E_3020; the JSONs have no rows, so the steps are not numbered:
// the code names the EBD and the code list).
const (
	EBDKuendigung         = "E_3001" // LFA: Kündigung Gasliefervertrag prüfen (G_0006/G_0005)
	EBDAbmeldungNB        = "E_3002" // LF: Abmeldung prüfen, Lieferende von NB an LF (G_0067/G_0068)
	EBDAnmeldungDirekt    = "E_3005" // NB: Prüfen, ob Anmeldung direkt ablehnbar (G_0011)
	EBDAbmeldeanfrageNot  = "E_3006" // NB: Prüfen, ob Abmeldeanfrage erforderlich (no answer)
	EBDLieferbeginn       = "E_3007" // NB: Lieferbeginn prüfen (G_0012/G_0011)
	EBDEoG                = "E_3008" // LF: Anmeldung E/G prüfen (G_0013/G_0014)
	EBDAbmeldung          = "E_3019" // NB: Abmeldung prüfen, Lieferende von LF an NB (G_0008/G_0007)
	EBDAbmeldeanfrage     = "E_3020" // LFA: Abmeldung(sanfrage) prüfen (G_0010/G_0009)
	codeListStornoConfirm = "G_0004" // 44023 STS+E01 DE1131 (AHB FV2610)
	codeListStornoReject  = "G_0003" // 44024 STS+E01 DE1131 (AHB FV2610)
)

// useCase is one request of the package with its answers, BGM, the EBD the
// answering side decides by and the code lists of its answers (STS+E01
// DE1131; the AHB FV2610 line of each answer PID names exactly one list).
type useCase struct {
	Name        string
	Request     string
	Confirm     string
	Reject      string
	BGM         string
	EBD         string
	ConfirmList string
	RejectList  string
	Workflow    string // the workflow that answers the request
	Initial     bool   // an Initialprozess for the Gas APERAK deadline (see apProcess)
}

// PIDs of all use cases (request, confirmation, rejection).
var useCases = []useCase{
	{Name: "Anmeldung", Request: PIDAnmeldung, Confirm: PIDAnmeldungBest, Reject: PIDAnmeldungAbl, BGM: "E01", EBD: EBDLieferbeginn,
		ConfirmList: "G_0012", RejectList: "G_0011", Workflow: WorkflowNBLieferbeginn, Initial: true},
	{Name: "Abmeldung", Request: PIDAbmeldung, Confirm: PIDAbmeldungBest, Reject: PIDAbmeldungAbl, BGM: "E02", EBD: EBDAbmeldung,
		ConfirmList: "G_0008", RejectList: "G_0007", Workflow: WorkflowNBLieferende, Initial: true},
	{Name: "Abmeldung vom NB", Request: PIDAbmeldungNB, Confirm: PIDAbmeldungNBBest, Reject: PIDAbmeldungNBAbl, BGM: "E02", EBD: EBDAbmeldungNB,
		ConfirmList: "G_0067", RejectList: "G_0068", Workflow: WorkflowLFAbmeldungNB, Initial: true},
	{Name: "Abmeldungsanfrage", Request: PIDAbmeldeanfrage, Confirm: PIDAbmeldeanfrageBest, Reject: PIDAbmeldeanfrageAbl, BGM: "E02", EBD: EBDAbmeldeanfrage,
		ConfirmList: "G_0010", RejectList: "G_0009", Workflow: WorkflowLFAAbmeldeanfrage},
	{Name: "Anmeldung EoG", Request: PIDEoG, Confirm: PIDEoGBest, Reject: PIDEoGAbl, BGM: "E01", EBD: EBDEoG,
		ConfirmList: "G_0013", RejectList: "G_0014", Workflow: WorkflowLFEoG, Initial: true},
	{Name: "Kündigung", Request: PIDKuendigung, Confirm: PIDKuendigungBest, Reject: PIDKuendigungAbl, BGM: "E35", EBD: EBDKuendigung,
		ConfirmList: "G_0006", RejectList: "G_0005", Workflow: WorkflowLFAKuendigung, Initial: true},
	// Stornierung: BGM is the category of the cancelled message (the AHB
	// of 44022 allows E01, E02, E35, E44 …); the answer code lists are
	// G_0004/G_0003, no EBD in the references.
	{Name: "Stornierung", Request: PIDStorno, Confirm: PIDStornoBest, Reject: PIDStornoAbl, BGM: "", EBD: "",
		ConfirmList: codeListStornoConfirm, RejectList: codeListStornoReject, Workflow: WorkflowStornoAnswer},
}

// infoPIDs are the Informationsmeldungen (BGM E44, no answer).
var infoPIDs = map[string]bool{PIDInfoZuordnung: true, PIDInfoBeendigung: true, PIDInfoAufhebung: true}

// bgmOf returns the BGM (category) of the use case pid belongs to, "" if
// none (utilmdkit.OwnStornoOf).
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

// Workflow names (prefix "geligas.").
const (
	WorkflowNBLieferbeginn    = "geligas.nb.lieferbeginn"    // NB answers 44001 (E_3005/E_3006/E_3007): 44036/44010 → 44002/44003 (+44037)
	WorkflowNBLieferende      = "geligas.nb.lieferende"      // NB answers 44004 (E_3019): 44005/44006 (+44038)
	WorkflowNBAbmeldung       = "geligas.nb.abmeldung"       // NB sends 44007 (ERP DeregisterSupply), receives 44008/44009
	WorkflowNBEoG             = "geligas.nb.eog"             // NB sends 44013 (ERP RegisterEoG), receives 44014/44015
	WorkflowLFAAbmeldeanfrage = "geligas.lfa.abmeldeanfrage" // LFA answers 44010 (E_3020): 44011/44012
	WorkflowLFAbmeldungNB     = "geligas.lf.abmeldung"       // LF answers 44007 (E_3002): 44008/44009
	WorkflowLFEoG             = "geligas.lf.eog"             // Grund-/Ersatzversorger answers 44013 (E_3008): 44014/44015
	WorkflowLFAKuendigung     = "geligas.lfa.kuendigung"     // LFA answers 44016 (E_3001): 44017/44018
	WorkflowLFNLieferbeginn   = "geligas.lfn.lieferbeginn"   // LFN sends 44001 (ERP RegisterSupplyStart), receives 44036, 44002/44003
	WorkflowLFNKuendigung     = "geligas.lfn.kuendigung"     // LFN sends 44016 (ERP RequestTermination), receives 44017/44018
	WorkflowLFLieferende      = "geligas.lf.lieferende"      // LF sends 44004 (ERP RegisterSupplyEnd), receives 44005/44006
	WorkflowLFInfo            = "geligas.lf.info"            // LF records a 44037/44038 (no answer)
	WorkflowStornoAnswer      = "geligas.storno"             // NB or LF answers a 44022
	WorkflowStornoRequest     = "geligas.storno.request"     // sends a 44022 for a RequestCancellation executed in it directly (the ERP's goes to the sending process)
)

// workflowNames lists every workflow of the package.
var workflowNames = []string{WorkflowNBLieferbeginn, WorkflowNBLieferende, WorkflowNBAbmeldung, WorkflowNBEoG,
	WorkflowLFAAbmeldeanfrage, WorkflowLFAbmeldungNB, WorkflowLFEoG, WorkflowLFAKuendigung, WorkflowLFNLieferbeginn,
	WorkflowLFNKuendigung, WorkflowLFLieferende, WorkflowLFInfo, WorkflowStornoAnswer, WorkflowStornoRequest}

// Transaktionsgründe (SG4 STS+7 DE9013) the workflows decide on by their
// meaning (UTILMD AHB Gas FV2610 = G1.2 and FV2604, the STS+7 line of each
// PID; `mako ahb show <PID>`).
const (
	reasonEinAuszug      = "E01" // 44001/44004 Ein-/Auszug (Umzug)
	reasonEinzugNeu      = "E02" // 44001 Einzug in Neuanlage
	reasonWechsel        = "E03" // 44001 (default), 44016 Wechsel
	reasonStorno         = "E05" // 44022, 44023, 44024 Stornierung
	reasonEoG            = "E06" // 44013 (default)
	reasonStilllegung    = "Z33" // 44004, 44007 (the only one) Stilllegung
	reasonInfoZuordnung  = "Z26" // 44036 (the only one)
	reasonInfoBeendigung = "ZC8" // 44037 (the only one)
	reasonAufhebung      = "ZG9" // 44038 (first of ZG9, ZH0, ZH1)
)

// reasonZZD (44004, 44013) is in the AHB's STS+7 lists from FV2610 on,
// not in FV2604 (G1.1).
const (
	reasonZZD      = "ZZD"
	reasonZZDSince = "FV2610"
)

// transactionReasons returns (a fresh slice) the Transaktionsgründe the
// package sends in a request or Informationsmeldung of pid in format
// version v, the default first, as the AHB's STS+7 line of that PID lists
// them (TestTransactionReasons checks every list against the embedded AHB,
// FV2610 and FV2604): all of them, except for 44004, whose Aufhebung einer
// zukünftigen Zuordnung (ZG9/ZH1/ZH2, which needs DTM+92) is not offered
// (docs/geligas.md "Not done"), and 44038, which the NB sends with ZG9
// only. A zero v is the newest (FV2610: an ERP command checked before its
// process knows its version). nil for a PID without its own list (the
// answers carry the request's).
func transactionReasons(v fv.Version, pid string) []string {
	zzd := func(codes ...string) []string {
		if v.IsZero() || !v.Before(fv.MustParse(reasonZZDSince)) {
			codes = append(codes, reasonZZD)
		}
		return codes
	}
	switch pid {
	case PIDAnmeldung:
		return []string{reasonWechsel, reasonEinAuszug, reasonEinzugNeu, "ZD2"}
	case PIDAbmeldung:
		return zzd(reasonEinAuszug, reasonStilllegung, "Z41", "ZT4", "ZT5")
	case PIDAbmeldungNB:
		return []string{reasonStilllegung}
	case PIDEoG:
		return zzd(reasonEoG, "Z02", "Z36", "Z37", "Z39", "ZC6", "ZC7", "ZT6", "ZT7")
	case PIDKuendigung:
		return []string{reasonWechsel}
	case PIDStorno:
		return []string{reasonStorno}
	case PIDInfoZuordnung:
		return []string{reasonInfoZuordnung}
	case PIDInfoBeendigung:
		return []string{reasonInfoBeendigung}
	case PIDInfoAufhebung:
		return []string{reasonAufhebung}
	}
	return nil
}
