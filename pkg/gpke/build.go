package gpke

import (
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/fv"
)

// outMsg describes one UTILMD Strom transaction this package sends, in one
// message in one interchange. The segment layout follows the AHB columns of
// the PIDs (machine-readable_anwendungshandbuecher FV2504 UTILMD 55001,
// 55002, 55010, 55022): BGM, DTM+137, NAD+MS/MR, SG4 IDE+24, DTM+92/93, STS+7
// (Transaktionsgrund), STS+E01 (answer code:EBD), STS+Z35 (answer of the
// third party), SG5 LOC+Z16, SG6 RFF+Z13/TN/ACW, SG12 NAD+VY/Z09. Contact
// groups (SG3) and product packages (SG8) are not built.
type outMsg struct {
	FV          fv.Version
	Interchange string // UNB 0020
	Document    string // BGM 1004
	Transaction string // IDE 7402
	BGM         string
	From, To    string
	At          time.Time
	PID         string
	Start, End  time.Time // DTM+92 / DTM+93 (zero = absent)
	Reason      []string  // STS+7 codes
	Answer      string    // STS+E01 code
	EBD         string
	Third       string // STS+Z35 code (E_0624)
	ThirdEBD    string
	MaLo        string
	RefTN       string // RFF+TN: the request answered
	RefACW      string // RFF+ACW: the transaction cancelled
	NewSupplier string // NAD+VY
	Customer    string // NAD+Z09 (name)
}

// party returns the UNB party of an MP-ID with its code qualifier
// (edifact.md §2, §5; pkg/edifact/ident).
func party(id string) (edifact.Party, string) {
	k, err := ident.ClassifyMPID(id)
	if err != nil {
		return edifact.Party{ID: id, Qualifier: "500"}, "293"
	}
	return edifact.Party{ID: id, Qualifier: k.CodeList()}, k.NADAgency()
}

func dtm303(t time.Time) string { return catalog.FormatDTM303(t) }

func (u outMsg) bytes() ([]byte, error) {
	s009, ok := catalog.UNHS009(catalog.UTILMD, catalog.Strom, u.FV)
	if !ok {
		return nil, fmt.Errorf("gpke: no UTILMD Strom version for %s", u.FV)
	}
	from, fromAgency := party(u.From)
	to, toAgency := party(u.To)
	b := edifact.NewInterchangeBuilder(from, to, u.Interchange, u.At)
	m := b.MessageFor("1", edifact.MessageID{Type: s009.Type, Version: s009.Version, Release: s009.Release, Agency: s009.Agency, Association: s009.Association})
	m.Segment("BGM", edifact.E(u.BGM), edifact.E(u.Document)).
		Segment("DTM", edifact.C("137", dtm303(u.At), "303")).
		Segment("NAD", edifact.E("MS"), edifact.C(u.From, "", fromAgency)).
		Segment("NAD", edifact.E("MR"), edifact.C(u.To, "", toAgency)).
		Segment("IDE", edifact.E("24"), edifact.E(u.Transaction))
	if !u.Start.IsZero() {
		m.Segment("DTM", edifact.C("92", dtm303(u.Start), "303"))
	}
	if !u.End.IsZero() {
		m.Segment("DTM", edifact.C("93", dtm303(u.End), "303"))
	}
	if len(u.Reason) > 0 {
		vals := []edifact.Value{edifact.E("7"), edifact.E("")}
		for _, r := range u.Reason {
			vals = append(vals, edifact.E(r))
		}
		m.Segment("STS", vals...)
	}
	if u.Answer != "" {
		m.Segment("STS", edifact.E("E01"), edifact.E(""), edifact.C(u.Answer, u.EBD))
	}
	if u.Third != "" {
		m.Segment("STS", edifact.E("Z35"), edifact.E(""), edifact.C(u.Third, u.ThirdEBD))
	}
	if u.MaLo != "" {
		m.Segment("LOC", edifact.E("Z16"), edifact.E(u.MaLo))
	}
	m.Segment("RFF", edifact.C("Z13", u.PID))
	if u.RefTN != "" {
		m.Segment("RFF", edifact.C("TN", u.RefTN))
	}
	if u.RefACW != "" {
		m.Segment("RFF", edifact.C("ACW", u.RefACW))
	}
	if u.Customer != "" {
		m.Segment("NAD", edifact.E("Z09"), edifact.E(""), edifact.E(""), edifact.C(u.Customer, "", "", "", "", "Z01"))
	}
	if u.NewSupplier != "" {
		_, agency := party(u.NewSupplier)
		m.Segment("NAD", edifact.E("VY"), edifact.C(u.NewSupplier, "", agency))
	}
	return b.Bytes()
}
