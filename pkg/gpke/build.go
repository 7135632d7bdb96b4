package gpke

import (
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/ahb/build"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// outMsg describes one UTILMD Strom transaction this package sends, in one
// message in one interchange. Each set field becomes the AHB line named in
// its comment; pkg/ahb/build puts them in MIG order and refuses a line the
// PID's AHB (FV2604/FV2610 UTILMD Strom) does not foresee, so callers set
// only what the PID carries. Send validates the result against the AHB
// (conform) before the decision can commit.
type outMsg struct {
	FV          fv.Version
	Interchange string // UNB 0020
	Document    string // BGM 1004
	Transaction string // IDE 7402
	BGM         string
	From, To    string
	At          time.Time
	PID         string

	Start, End     time.Time // DTM+92 / DTM+93 (zero = absent)
	Transfer       time.Time // DTM+154 ÜT der Lieferanmeldung (55010, German date, format 102)
	Processing     time.Time // DTM+Z07 Lieferbeginn in Bearbeitung (55003/55080 with A06/A45)
	NextProcessing time.Time // DTM+Z08 Datum für nächste Bearbeitung
	DeviceRemoval  time.Time // DTM+206 Geräteausbaudatum (55007/55008 with Z33)
	ConfirmedEnd   time.Time // DTM+Z05 bereits bestätigtes Vertragsende (55018 [351])
	EarliestEnd    time.Time // DTM+157 (55018 [352])
	NoticePeriod   string    // DTM+Z01 Kündigungsfrist, ZZRB (55018 [352])

	Reason   []string // STS+7 codes: Transaktionsgrund, Ergänzung
	Answer   string   // STS+E01 code
	EBD      string
	Third    string // STS+Z35 code (E_0624)
	ThirdEBD string
	// ThirdOf is the Ergänzung and MaLo of the third party's answer
	// (55080 STS+Z35 DE9013/DE9012, AHB [368]).
	ThirdKind, ThirdMaLo string
	Remark               string // FTX+ACB

	MaLo     string   // SG5 LOC+Z16
	MeLos    []string // SG5 LOC+Z17 and SG8 SEQ+ZF3 (55002/55078)
	RefTN    string   // SG6 RFF+TN: the request answered
	RefACW   string   // SG6 RFF+ACW: the transaction cancelled
	Packages []string // SG6 RFF+Z60 (55002/55078): the product packages of the request

	Products  *productPackage // SG8 SEQ+Z79 / SEQ+ZH0 (55001/55077)
	Household string          // SG8 SEQ+Z01 CCI Z15/Z18 (55001)
	EnFG      string          // SG8 SEQ+Z75 CCI+Z61 (55001)
	Annual    *int64          // SG8 SEQ+Z01 SG9 QTY+Z09 kWh (55017)
	MSB       *msbData        // SG8 SEQ+Z98 / SEQ+ZF3 CAV+Z91/ZF0 (55002/55078 with MeLos)

	CustomerName []string // SG12 NAD+Z09 C080 (surname, first name, …, Z01/Z02)
	Address      *Address // SG12 NAD+Z04 (55001)
	NewSupplier  string   // SG12 NAD+VY
	RefMaLo      string   // SG12 RFF+Z18 under NAD+VY (55080)
}

// productPackage is the product package of 55001/55077.
type productPackage struct {
	ID       string
	Partial  bool
	Products []Product
}

// msbData is the metering point operator of the MeLos.
type msbData struct {
	MSB, Role, Base string
}

func party(id string) (edifact.Party, string) { return utilmdkit.Party(id) }

func dtm(q string, t time.Time) edifact.Value { return utilmdkit.DTM(q, t) }

func (u outMsg) bytes() ([]byte, error) {
	s009, ok := catalog.UNHS009(catalog.UTILMD, catalog.Strom, u.FV)
	if !ok {
		return nil, fmt.Errorf("gpke: no UTILMD Strom version for %s", u.FV)
	}
	m, err := build.New(u.FV, catalog.UTILMD, "Strom", u.PID)
	if err != nil {
		return nil, err
	}
	from, fromAgency := party(u.From)
	to, toAgency := party(u.To)
	r := m.Root()
	r.Seg("BGM+"+u.BGM, edifact.E(u.BGM), edifact.E(u.Document))
	r.Seg("DTM+137", dtm("137", u.At))
	r.Group("NAD+MS", edifact.E("MS"), edifact.C(u.From, "", fromAgency))
	r.Group("NAD+MR", edifact.E("MR"), edifact.C(u.To, "", toAgency))
	tx := r.Group("IDE+24", edifact.E("24"), edifact.E(u.Transaction))
	for _, d := range []struct {
		q string
		t time.Time
	}{{"92", u.Start}, {"93", u.End}, {"Z07", u.Processing}, {"Z08", u.NextProcessing}, {"206", u.DeviceRemoval},
		{"Z05", u.ConfirmedEnd}, {"157", u.EarliestEnd}} {
		if !d.t.IsZero() {
			tx.Seg("DTM+"+d.q, dtm(d.q, d.t))
		}
	}
	if !u.Transfer.IsZero() {
		tx.Seg("DTM+154", utilmdkit.DTM102("154", u.Transfer))
	}
	if u.NoticePeriod != "" {
		tx.Seg("DTM+Z01", edifact.C("Z01", u.NoticePeriod, "Z01"))
	}
	if len(u.Reason) > 0 {
		vals := []edifact.Value{edifact.E("7"), edifact.E("")}
		for _, c := range u.Reason {
			vals = append(vals, edifact.E(c))
		}
		tx.Seg("STS+7", vals...)
	}
	if u.Answer != "" {
		tx.Seg("STS+E01", edifact.E("E01"), edifact.E(""), edifact.C(u.Answer, u.EBD))
	}
	if u.Third != "" {
		vals := []edifact.Value{edifact.E("Z35"), edifact.E(""), edifact.C(u.Third, u.ThirdEBD)}
		if u.ThirdKind != "" {
			vals = append(vals, edifact.C(u.ThirdKind, "", "", u.ThirdMaLo))
		}
		tx.Seg("STS+Z35", vals...)
	}
	if u.Remark != "" {
		tx.Seg("FTX+ACB", edifact.E("ACB"), edifact.E(""), edifact.E(""), edifact.C(u.Remark))
	}
	if u.MaLo != "" {
		tx.Group("LOC+Z16", edifact.E("Z16"), edifact.E(u.MaLo))
	}
	for _, id := range u.MeLos {
		tx.Group("LOC+Z17", edifact.E("Z17"), edifact.E(id))
	}
	tx.Group("RFF+Z13", edifact.C("Z13", u.PID))
	if u.RefTN != "" {
		tx.Group("RFF+TN", edifact.C("TN", u.RefTN))
	}
	if u.RefACW != "" {
		tx.Group("RFF+ACW", edifact.C("ACW", u.RefACW))
	}
	for _, p := range u.Packages {
		tx.Group("RFF+Z60", edifact.C("Z60", p))
	}
	if p := u.Products; p != nil {
		// One SG8 SEQ+Z79 per required product (PIA+5 occurs once per
		// group instance), all with the package id.
		for _, pr := range p.Products {
			seq := tx.Group("SEQ+Z79", edifact.E("Z79"), edifact.E(p.ID))
			seq.Seg("PIA+5", edifact.E("5"), edifact.C(pr.Code, "Z11"))
			if pr.Property == "" && pr.Value == "" {
				continue
			}
			cci := seq.Group("CCI+Z66", edifact.E("Z66"))
			if pr.Property != "" {
				cci.Seg("CAV+ZH9", edifact.C("ZH9", "", "", pr.Property))
			}
			if pr.Value != "" {
				cci.Seg("CAV+ZV4", edifact.C("ZV4", "", "", pr.Value))
			}
		}
		grade := "Z01"
		if p.Partial {
			grade = "Z02"
		}
		tx.Group("SEQ+ZH0", edifact.E("ZH0"), edifact.E(p.ID)).Group("CCI+Z65", edifact.E("Z65"), edifact.E(""), edifact.E(""), edifact.E(grade))
	}
	if u.Household != "" {
		tx.Group("SEQ+Z01", edifact.E("Z01")).Group("CCI+"+u.Household, edifact.E(""), edifact.E(""), edifact.E(u.Household))
	}
	if u.Annual != nil {
		tx.Group("SEQ+Z01", edifact.E("Z01")).Group("QTY+Z09", edifact.C("Z09", fmt.Sprint(*u.Annual), "KWH"))
	}
	if u.EnFG != "" {
		tx.Group("SEQ+Z75", edifact.E("Z75")).Group("CCI+Z61", edifact.E("Z61"), edifact.E(""), edifact.E(u.EnFG))
	}
	if s := u.MSB; s != nil && len(u.MeLos) > 0 {
		_, agency := party(s.MSB)
		z91 := edifact.C("Z91", s.MSB, agency, s.Role)
		tx.Group("SEQ+Z98", edifact.E("Z98")).Group("CCI+ZB3", edifact.E(""), edifact.E(""), edifact.E("ZB3")).Seg("CAV+Z91", z91)
		_, baseAgency := party(s.Base)
		for _, id := range u.MeLos {
			seq := tx.Group("SEQ+ZF3", edifact.E("ZF3"))
			seq.Seg("RFF+Z19", edifact.C("Z19", id))
			seq.Group("CCI+ZB3", edifact.E(""), edifact.E(""), edifact.E("ZB3")).
				Seg("CAV+Z91", z91).
				Seg("CAV+ZF0", edifact.C("ZF0", s.Base, baseAgency))
		}
	}
	if len(u.CustomerName) > 0 {
		tx.Group("NAD+Z09", edifact.E("Z09"), edifact.E(""), edifact.E(""), edifact.C(u.CustomerName...))
	}
	if a := u.Address; a != nil {
		country := a.Country
		if country == "" {
			country = "DE"
		}
		tx.Group("NAD+Z04", edifact.E("Z04"), edifact.E(""), edifact.E(""), edifact.C(u.CustomerName...),
			edifact.C(a.Street, "", a.HouseNo), edifact.E(a.City), edifact.E(""), edifact.E(a.PostCode), edifact.E(country))
	}
	if u.NewSupplier != "" {
		_, agency := party(u.NewSupplier)
		vy := tx.Group("NAD+VY", edifact.E("VY"), edifact.C(u.NewSupplier, "", agency))
		if u.RefMaLo != "" {
			vy.Seg("RFF+Z18", edifact.C("Z18", u.RefMaLo))
		}
	}
	b := edifact.NewInterchangeBuilder(from, to, u.Interchange, u.At)
	mb := b.MessageFor("1", edifact.MessageID{Type: s009.Type, Version: s009.Version, Release: s009.Release, Agency: s009.Agency, Association: s009.Association})
	if err := m.Write(mb); err != nil {
		return nil, err
	}
	return b.Bytes()
}
