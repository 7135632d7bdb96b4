package geligas

import (
	"fmt"

	"github.com/mako-engine/mako/pkg/edifact/utilmd"
)

// readLocation reads the NB's master data of a received 44013 (the groups
// that meteringData and seqMaLo write: RLM model) so that the Grund-/
// Ersatzversorger echoes them in its 44014. It fails if a field the 44014
// needs is missing.
func readLocation(t *utilmd.Transaction) (LocationData, error) {
	var l LocationData
	var seq, cci string
	for _, s := range t.Segments {
		switch s.Tag {
		case "SEQ":
			seq, cci = s.Value(0, 0), ""
			continue
		case "CCI":
			cci = s.Value(2, 0)
			if q := s.Value(0, 0); q != "" {
				cci = q
			}
		}
		switch {
		case s.Is("DTM", "155"):
			l.BillingYearStart = dateOf(t, "155")
		case s.Is("DTM", "Z21"):
			l.BillingDay = s.Value(0, 1)
		case s.Is("DTM", "Z09"):
			l.NextBillingYear = s.Value(0, 1)
		case s.Is("DTM", "Z22"):
			l.BillingMonths = atoi(s.Value(0, 1))
		case s.Is("CCI", "Z21"):
			l.MarketArea = s.Value(2, 0)
		case s.Tag == "CCI" && seq == "Z01" && (s.Value(2, 0) == "Z15" || s.Value(2, 0) == "Z18"):
			l.Household = s.Value(2, 0) == "Z15"
		case s.Tag == "CCI" && seq == "Z01" && s.Value(2, 0) == "Z17":
			l.CaseGroup = s.Value(2, 1)
		case s.Tag == "CAV" && cci == "Y01":
			l.Pressure = s.Value(0, 0)
		case s.Is("CAV", "Z74"):
			l.NetContract = s.Value(0, 3)
		case s.Is("CAV", "Z73"):
			l.NetPayer = s.Value(0, 3)
		case s.Is("CAV", "ZB1"):
			l.BillingVariant = s.Value(0, 3)
		case s.Tag == "PIA" && seq == "Z02":
			l.OBIS = s.Value(1, 0)
		case s.Tag == "CAV" && cci == "ZE4":
			l.Granularity = s.Value(0, 0)
		case s.Tag == "CAV" && cci == "Z08":
			l.Concession = s.Value(0, 0)
		case s.Is("QTY", "Z16"):
			fmt.Sscan(s.Value(0, 1), &l.MunicipalDiscount)
		case s.Is("RFF", "Z19") && seq == "Z18":
			l.MeLo = s.Value(0, 1)
		case s.Is("CAV", "Z91"):
			l.MSB = s.Value(0, 1)
		case s.Is("CAV", "ZF0"):
			l.BaseMSB = s.Value(0, 1)
		case s.Tag == "CAV" && cci == "Y02":
			l.GasQuality = s.Value(0, 0)
		case s.Tag == "CAV" && cci == "E13" && s.Value(0, 0) == "Z30":
			l.MeterNumber = s.Value(0, 3)
		case s.Tag == "CAV" && cci == "E13" && s.Value(0, 0) == "":
			l.MeterSize = s.Value(0, 3)
		case s.Tag == "CAV" && cci == "E13":
			l.MeterType = s.Value(0, 0)
		case s.Tag == "CAV" && cci == "E12":
			l.MeterReading = s.Value(0, 0)
		case s.Tag == "PIA" && seq == "Z20":
			l.RegisterOBIS = s.Value(1, 0)
		case s.Tag == "CAV" && cci == "11":
			l.RegisterDigits = s.Value(0, 3)
		case s.Is("NAD", "Z09"):
			l.Customer, l.CustomerFirst, l.CustomerCompany = s.Value(3, 0), s.Value(3, 1), s.Value(3, 5) == "Z02"
		case s.Is("NAD", "DP"):
			l.Address = &Address{Street: s.Value(4, 0), HouseNo: s.Value(4, 2), City: s.Value(5, 0), PostCode: s.Value(7, 0), Country: s.Value(8, 0)}
		}
	}
	if err := l.Validate(); err != nil {
		return l, fmt.Errorf("%w: 44013 master data: %v", ErrMessage, err)
	}
	return l, nil
}
