package geligas

import (
	"math"
	"strconv"
	"time"

	"github.com/mako-engine/mako/pkg/ahb/build"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// outMsg describes one UTILMD Gas transaction this package sends, in one
// message in one interchange. Each set field becomes the AHB line named in
// its comment; pkg/ahb/build puts them in MIG order (G1.2) and refuses a
// line the PID's AHB does not foresee, so callers set only what the PID
// carries; send validates the result against the AHB before the decision
// can commit.
type outMsg struct {
	FV          fv.Version
	Interchange string // UNB 0020
	Document    string // BGM 1004
	Transaction string // IDE 7402
	BGM         string
	From, To    string
	At          time.Time
	PID         string

	IMD            bool      // IMD++Z36+Z12: Identifikationslogik Marktlokations-ID (44001, 44016)
	Start, End     time.Time // DTM+92 / DTM+93 (Gastag boundaries; zero = absent)
	NextPossible   time.Time // DTM+471 Ende zum nächstmöglichen Termin (44017 with Z01)
	BalanceStart   time.Time // DTM+158 Bilanzierungsbeginn (44002, 44013, 44014)
	BalanceEnd     time.Time // DTM+159 Bilanzierungsende (44005, 44007, 44008, 44037)
	Processing     time.Time // DTM+Z07 Lieferbeginndatum in Bearbeitung (44003 ZC5)
	NextProcessing time.Time // DTM+Z08 Datum für nächste Bearbeitung (44003 ZC5)
	ConfirmedEnd   time.Time // DTM+Z05 bereits bestätigtes Vertragsende (44018 Z34)
	EarliestEnd    time.Time // DTM+157 (44018 Z12)
	NoticePeriod   string    // DTM+Z01 Kündigungsfrist (44018 Z12)

	Reason string // STS+7 Transaktionsgrund
	Answer string // STS+E01 code
	List   string // STS+E01 DE1131 code list
	Third  string // STS+Z35 code of the LFA (44003 Z35, list G_0009)
	Remark string // FTX+ACB

	MaLo   string // SG5 LOC+172 (the MaLo)
	MeLo   string // SG5 LOC+172 (the Messlokation of 44002/44013/44014)
	RefTN  string // SG6 RFF+TN: the request answered (or, 44036, the Anmeldung)
	RefACW string // SG6 RFF+ACW: the transaction cancelled

	// Master data (44001: the LF's; 44002/44013/44014: the NB's Location).
	BillingMonths int           // SG6 DTM+Z20 Abrechnungsintervall des LF (months)
	Location      *LocationData // SG6 DTM+Z21/Z09/Z22, SG8 SEQ+Z01 … SEQ+Z20, SG12
	BalanceGroup  string        // SG10 CCI+Z19 Bilanzkreis
	Household     *bool         // 44001 SG10 CCI Z15/Z18
	NetContract   string        // 44001 SG10 CAV+Z74
	NetPayer      string        // 44001 SG10 CAV+Z73
	AnnualKWh     *int64        // 44001 SG9 QTY+31 Veranschlagte Jahresmenge
	Profile       *LoadProfile  // 44001 SEQ+Z35 Lastprofil the LF expects, SG9 QTY+Y02 (44002/44013/44014: Location.LoadProfile)
	Discount      *float64      // 44001 SEQ+Z12 QTY+Z16 Gemeinderabatt (percent)
	EoGState      string        // 44013 SG10 CCI+Z42 Betriebszustand (ZB9)
	PrevYearKWh   *int64        // 44017 SEQ+Z01 SG9 QTY+Z09 Vorjahresverbrauch

	Customer    []string // SG12 NAD+Z09 (C080)
	Address     *Address // SG12 NAD+Z04 (correspondence) and NAD+Z05 (Ablesekarte), 44001
	SiteAddress *Address // SG12 NAD+DP Marktlokationsanschrift
	Party       string   // SG12 NAD+VY Beteiligter Marktpartner
}

// dtmTimes lists the DTM lines of SG4 in AHB order with their values.
func (u outMsg) dtmTimes() []struct {
	q string
	t time.Time
} {
	return []struct {
		q string
		t time.Time
	}{{"92", u.Start}, {"93", u.End}, {"471", u.NextPossible}, {"158", u.BalanceStart}, {"159", u.BalanceEnd},
		{"Z07", u.Processing}, {"Z08", u.NextProcessing}, {"Z05", u.ConfirmedEnd}, {"157", u.EarliestEnd}}
}

func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// header is the envelope of the transaction (utilmdkit.Header).
func (u outMsg) header() utilmdkit.Header {
	return utilmdkit.Header{FV: u.FV, Sector: catalog.Gas, Interchange: u.Interchange, Document: u.Document, Transaction: u.Transaction,
		BGM: u.BGM, From: u.From, To: u.To, At: u.At, PID: u.PID}
}

func (u outMsg) bytes() ([]byte, error) {
	h := u.header()
	m, tx, err := h.Start()
	if err != nil {
		return nil, err
	}
	if u.IMD {
		tx.Seg("IMD+Z36", edifact.E(""), edifact.E("Z36"), edifact.E("Z12"))
	}
	for _, d := range u.dtmTimes() {
		if !d.t.IsZero() {
			tx.Seg("DTM+"+d.q, utilmdkit.DTM(d.q, d.t))
		}
	}
	if u.NoticePeriod != "" {
		tx.Seg("DTM+Z01", edifact.C("Z01", u.NoticePeriod, "Z01"))
	}
	if u.Reason != "" {
		tx.Seg("STS+7", edifact.E("7"), edifact.E(""), edifact.E(u.Reason))
	}
	if u.Answer != "" {
		tx.Seg("STS+E01", edifact.E("E01"), edifact.E(""), edifact.C(u.Answer, u.List))
	}
	if u.Third != "" {
		lfa, _ := useCaseOf(PIDAbmeldeanfrageAbl) // the LFA's code comes from its 44012's list
		tx.Seg("STS+Z35", edifact.E("Z35"), edifact.E(""), edifact.C(u.Third, lfa.RejectList))
	}
	if u.Remark != "" {
		tx.Seg("FTX+ACB", edifact.E("ACB"), edifact.E(""), edifact.E(""), edifact.C(u.Remark))
	}
	for _, id := range []string{u.MaLo, u.MeLo} {
		if id != "" {
			tx.Group("LOC+172", edifact.E("172"), edifact.E(id))
		}
	}
	tx.Group("RFF+Z13", edifact.C("Z13", u.PID))
	if u.RefTN != "" {
		tx.Group("RFF+TN", edifact.C("TN", u.RefTN))
	}
	if u.RefACW != "" {
		tx.Group("RFF+ACW", edifact.C("ACW", u.RefACW))
	}
	if u.BillingMonths > 0 || u.Location != nil {
		// SG6 RFF+Z18: the dates of the MaLo (AHB [636]).
		z18 := tx.Group("RFF+Z18", edifact.C("Z18", u.MaLo))
		if u.BillingMonths > 0 {
			z18.Seg("DTM+Z20", edifact.C("Z20", strconv.Itoa(u.BillingMonths), "802"))
		}
		if l := u.Location; l != nil && u.FV == fv.MustParse("FV2604") && !l.BillingYearStart.IsZero() && l.LoadProfile == nil {
			// FV2604 (MIG G1.1) only: DTM+155 Start des Abrechnungsjahrs,
			// "Muss [19]" for an RLM MaLo (ZC0); FV2610 dropped the line.
			z18.Seg("DTM+155", utilmdkit.DTM("155", l.BillingYearStart))
		}
		if l := u.Location; l != nil {
			z18.Seg("DTM+Z21", edifact.C("Z21", l.BillingDay, "106"))
			z18.Seg("DTM+Z09", edifact.C("Z09", l.NextBillingYear, "602"))
			z18.Seg("DTM+Z22", edifact.C("Z22", strconv.Itoa(l.BillingMonths), "802"))
		}
	}
	u.seqMaLo(tx)
	if u.Discount != nil {
		tx.Group("SEQ+Z12", edifact.E("Z12")).Group("QTY+Z16", edifact.C("Z16", num(*u.Discount), "P1"))
	}
	if l := u.Location; l != nil {
		meteringData(tx, l)
	}
	u.loadProfile(tx)
	if u.PrevYearKWh != nil {
		tx.Group("SEQ+Z01", edifact.E("Z01")).Group("QTY+Z09", edifact.C("Z09", strconv.FormatInt(*u.PrevYearKWh, 10), "KWH"))
	}
	u.parties(tx)
	return h.Finish(m)
}

// seqMaLo writes SG8 SEQ+Z01 "Daten der Marktlokation" of 44001 (the LF's
// data) or of 44002/44013/44014 (the NB's Location, with the LF's
// Bilanzkreis where the PID has it).
func (u outMsg) seqMaLo(tx *build.Group) {
	l := u.Location
	if l == nil && u.Household == nil {
		return
	}
	seq := tx.Group("SEQ+Z01", edifact.E("Z01"))
	annual, profile := u.AnnualKWh, u.Profile
	if l != nil {
		annual, profile = nil, l.LoadProfile
		if profile != nil {
			annual = &profile.AnnualKWh
		}
	}
	if annual != nil {
		seq.Group("QTY+31", edifact.C("31", strconv.FormatInt(*annual, 10), "KWH"))
	}
	if profile != nil && profile.CustomerValue != "" {
		seq.Group("QTY+Y02", edifact.C("Y02", profile.CustomerValue, "KWH"))
	}
	if u.BalanceGroup != "" {
		seq.Group("CCI+Z19", edifact.E("Z19"), edifact.E(""), edifact.E(u.BalanceGroup))
	}
	household, contract, payer := u.Household, u.NetContract, u.NetPayer
	if l != nil {
		seq.Group("CCI+Z21", edifact.E("Z21"), edifact.E(""), edifact.E(l.MarketArea))
		seq.Group("CCI+Y01", edifact.E(""), edifact.E(""), edifact.E("Y01")).Seg("CAV+"+l.Pressure, edifact.E(l.Pressure))
		forecast := "ZC0" // RLM: Prognose auf Basis von Werten
		if l.LoadProfile != nil {
			forecast = "ZA6" // SLP: Prognose auf Basis von Profilen
		}
		seq.Group("CCI+"+forecast, edifact.E(""), edifact.E(""), edifact.E(forecast))
		h := l.Household
		household, contract, payer = &h, l.NetContract, l.NetPayer
	}
	hh := "Z18"
	if household != nil && *household {
		hh = "Z15"
	}
	seq.Group("CCI+"+hh, edifact.E(""), edifact.E(""), edifact.E(hh))
	if l != nil && l.LoadProfile == nil {
		// Fallgruppe: "Muss [19]", RLM (ZC0) only.
		seq.Group("CCI+Z17", edifact.E(""), edifact.E(""), edifact.C("Z17", l.CaseGroup))
	}
	nn := seq.Group("CCI+Z88", edifact.E(""), edifact.E(""), edifact.E("Z88"))
	nn.Seg("CAV+Z74", edifact.C("Z74", "", "", contract))
	nn.Seg("CAV+Z73", edifact.C("Z73", "", "", payer))
	if l != nil {
		nn.Seg("CAV+ZB1", edifact.C("ZB1", "", "", l.BillingVariant))
	}
	if u.EoGState != "" {
		seq.Group("CCI+Z42", edifact.E("Z42"), edifact.E(""), edifact.E(u.EoGState))
	}
}

// loadProfile writes SG8 SEQ+Z35 "Lastprofildaten": the Lastprofil (SG10
// CCI+Z12 with the Verfahren, CAV with the code and its agency) and, from
// the NB (Location), the Klimazone / Temperaturmessstelle (CCI+ZA0/Z99,
// DE1131 only with agency 293, AHB [58]). 44001: the profile the LF
// expects, without Klimazone (the PID has no such line).
func (u outMsg) loadProfile(tx *build.Group) {
	p, nb := u.Profile, false
	if u.Location != nil {
		p, nb = u.Location.LoadProfile, true
	}
	if p == nil {
		return
	}
	z35 := tx.Group("SEQ+Z35", edifact.E("Z35"))
	z35.Group("CCI+Z12", edifact.E("Z12"), edifact.E(""), edifact.E(p.method())).Seg("CAV", edifact.C(p.Code, "", p.Agency))
	if nb {
		provider := ""
		if p.climateAgency() == "293" {
			provider = p.ClimateProvider
		}
		z35.Group("CCI+"+p.climateKind(), edifact.E(p.climateKind()), edifact.E(""), edifact.C(p.ClimateID, provider, p.climateAgency()))
	}
}

// meteringData writes the NB's SG8 groups of 44002/44013/44014 common to
// the RLM and SLP models (the Lastprofil is loadProfile's): OBIS of the MaLo, Konzessionsabgabe,
// Gemeinderabatt, Messlokation with MSB and Gasqualität, meter and its
// register.
func meteringData(tx *build.Group, l *LocationData) {
	z02 := tx.Group("SEQ+Z02", edifact.E("Z02"))
	z02.Seg("PIA+5", edifact.E("5"), edifact.C(l.OBIS, "SRW"))
	z02.Group("CCI+ZE4", edifact.E(""), edifact.E(""), edifact.E("ZE4")).Seg("CAV+"+l.Granularity, edifact.E(l.Granularity))
	z07 := tx.Group("SEQ+Z07", edifact.E("Z07"))
	z07.Seg("RFF+Z10", edifact.C("Z10", l.OBIS))
	z07.Group("CCI+Z08", edifact.E(""), edifact.E(""), edifact.E("Z08")).Seg("CAV+"+l.Concession, edifact.E(l.Concession))
	tx.Group("SEQ+Z12", edifact.E("Z12")).Group("QTY+Z16", edifact.C("Z16", num(l.MunicipalDiscount), "P1"))
	_, msbAgency := utilmdkit.Party(l.MSB)
	_, baseAgency := utilmdkit.Party(l.BaseMSB)
	z18 := tx.Group("SEQ+Z18", edifact.E("Z18"))
	z18.Seg("RFF+Z19", edifact.C("Z19", l.MeLo))
	z18.Group("CCI+ZB3", edifact.E(""), edifact.E(""), edifact.E("ZB3")).
		Seg("CAV+Z91", edifact.C("Z91", l.MSB, msbAgency)).
		Seg("CAV+ZF0", edifact.C("ZF0", l.BaseMSB, baseAgency))
	z18.Group("CCI+Y02", edifact.E(""), edifact.E(""), edifact.E("Y02")).Seg("CAV+"+l.GasQuality, edifact.E(l.GasQuality))
	z03 := tx.Group("SEQ+Z03", edifact.E("Z03"))
	z03.Seg("RFF+Z19", edifact.C("Z19", l.MeLo))
	z03.Group("CCI+E13", edifact.E(""), edifact.E(""), edifact.E("E13")).
		Seg("CAV+"+l.MeterType, edifact.E(l.MeterType)).
		Seg("CAV", edifact.C("", "", "", l.MeterSize)).
		Seg("CAV+Z30", edifact.C("Z30", "", "", l.MeterNumber))
	z03.Group("CCI+E12", edifact.E(""), edifact.E(""), edifact.E("E12")).Seg("CAV+"+l.MeterReading, edifact.E(l.MeterReading))
	z20 := tx.Group("SEQ+Z20", edifact.E("Z20"))
	z20.Seg("RFF+MG", edifact.C("MG", l.MeterNumber))
	z20.Seg("RFF+Z19", edifact.C("Z19", l.MeLo))
	z20.Seg("PIA+5", edifact.E("5"), edifact.C(l.RegisterOBIS, "SRW"))
	z20.Group("CCI+ZE4", edifact.E(""), edifact.E(""), edifact.E("ZE4")).Seg("CAV+"+l.Granularity, edifact.E(l.Granularity))
	z20.Group("CCI+11", edifact.E("11"), edifact.E(""), edifact.E("Z33")).Seg("CAV", edifact.C("", "", "", l.RegisterDigits))
}

// parties writes SG12: customer, addresses, the involved market partner and
// (44002/44013/44014) the reference to the Messlokation.
func (u outMsg) parties(tx *build.Group) {
	name := u.Customer
	var corr, site *Address
	if l := u.Location; l != nil {
		name = utilmdkit.CustomerName(l.Customer, l.CustomerFirst, l.CustomerCompany)
		corr, site = l.Address, l.Address
	} else {
		corr, site = u.Address, u.SiteAddress
	}
	if len(name) > 0 {
		tx.Group("NAD+Z09", edifact.E("Z09"), edifact.E(""), edifact.E(""), edifact.C(name...))
	}
	if corr != nil {
		tx.Group("NAD+Z04", append([]edifact.Value{edifact.E("Z04"), edifact.E(""), edifact.E(""), edifact.C(name...)}, corr.NAD()...)...)
	}
	if site != nil {
		tx.Group("NAD+DP", append([]edifact.Value{edifact.E("DP"), edifact.E(""), edifact.E(""), edifact.E("")}, site.NAD()...)...)
	}
	if corr != nil && (u.Location != nil || u.PID == PIDAnmeldung) {
		z05 := tx.Group("NAD+Z05", append([]edifact.Value{edifact.E("Z05"), edifact.E(""), edifact.E(""), edifact.C(name...)}, corr.NAD()...)...)
		if l := u.Location; l != nil {
			z05.Seg("RFF+Z19", edifact.C("Z19", l.MeLo))
		}
	}
	if u.Party != "" {
		_, agency := utilmdkit.Party(u.Party)
		tx.Group("NAD+VY", edifact.E("VY"), edifact.C(u.Party, "", agency))
	}
}
