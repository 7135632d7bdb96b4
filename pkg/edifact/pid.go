package edifact

import (
	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

// Sector is the energy sector (Sparte) of a message; it is catalog.Sector.
type Sector = catalog.Sector

// Transaction is one unit that carries a Prüfidentifikator (ref §6.1): a
// Geschäftsvorfall (IDE group in UTILMD/UTILTS, CNI in IFTSTA, DOC in
// INSRPT) or, for the per-message types, the whole message.
type Transaction struct {
	// ID is the transaction id: IDE 7402 (Vorgangsnummer), CNI 1490 or DOC
	// 1004; "" for per-message types.
	ID string
	// PID is the value of the first RFF+Z13 in the transaction, "" if none.
	PID string
	// Start and End delimit the transaction's segments in Message.Segments
	// (End exclusive).
	Start, End int
	// PIDSegment is the RFF+Z13 segment, nil if missing.
	PIDSegment *Segment
	// Opening is the segment that opens the transaction (IDE/CNI/DOC), nil
	// for per-message types.
	Opening *Segment
}

// Transactions splits m into the units that carry a PID, using the
// placement data of catalog (ref §6.1): per transaction for UTILMD, UTILTS,
// IFTSTA and INSRPT, per message for the other PID-bearing types, none for
// APERAK, CONTRL and unknown types. IFTSTA messages whose RFF+Z13 sits
// before the first CNI (the MaBiS PIDs 21000–21005, SG4) are one
// per-message unit.
func Transactions(m *Message) []Transaction { return transactions(m, m.Type()) }

func transactions(m *Message, typ string) []Transaction {
	p, ok := catalog.PlacementOf(typ)
	if !ok || p.Scope == catalog.ScopeNone {
		return nil
	}
	body := m.Segments
	end := len(body)
	if end > 0 && body[end-1].Tag == "UNT" {
		end--
	}
	whole := func() []Transaction {
		t := Transaction{Start: 0, End: end}
		if s, i := m.Find(0, "RFF", "Z13"); s != nil && i < end {
			t.PID, t.PIDSegment = s.Value(0, 1), s
		}
		return []Transaction{t}
	}
	if p.Scope == catalog.ScopeMessage {
		return whole()
	}
	tag := p.TransactionTag
	first := -1
	for i := 0; i < end; i++ {
		if body[i].Tag == tag {
			first = i
			break
		}
	}
	if typ == catalog.IFTSTA {
		if s, i := m.Find(0, "RFF", "Z13"); s != nil && (first < 0 || i < first) {
			return whole()
		}
	}
	if first < 0 {
		return nil
	}
	var out []Transaction
	for i := first; i < end; i++ {
		if body[i].Tag != tag {
			continue
		}
		if n := len(out); n > 0 {
			out[n-1].End = i
		}
		t := Transaction{Start: i, End: end, Opening: &body[i]}
		switch tag {
		case "IDE": // IDE+24+<7402>
			t.ID = body[i].Value(1, 0)
		case "CNI": // CNI+<1490>
			t.ID = body[i].Value(0, 0)
		case "DOC": // DOC+<C002>+<C503 1004>
			t.ID = body[i].Value(1, 0)
		}
		out = append(out, t)
	}
	for k := range out {
		for i := out[k].Start; i < out[k].End; i++ {
			if body[i].Is("RFF", "Z13") {
				out[k].PID, out[k].PIDSegment = body[i].Value(0, 1), &body[i]
				break
			}
		}
	}
	return out
}

// MessageSector determines the sector of m from the message itself (ref §6.2,
// §7.1): the UTILMD UNH version (S… Strom, G… Gas), else a UTILMD PID prefix
// (55 Strom, 44 Gas), else the code list agency of NAD+MS/MR 3055 (293 BDEW
// = Strom, 332 DVGW = Gas) — BDEW/DVGW codes are sector markers by
// convention, which is a [guidance] reading of ref §2/§5. It reports false
// when the sector cannot be determined.
func MessageSector(m *Message) (Sector, bool) {
	h := m.Header()
	return messageSector(m, h, transactions(m, h.Type))
}

func messageSector(m *Message, h UNH, txs []Transaction) (Sector, bool) {
	if h.Type == catalog.UTILMD {
		if s, ok := catalog.SectorFromUTILMDVersion(h.Association); ok {
			return s, true
		}
	}
	for _, t := range txs {
		if len(t.PID) == 5 {
			switch t.PID[:2] {
			case "55":
				return catalog.Strom, true
			case "44":
				return catalog.Gas, true
			}
		}
	}
	for i := range m.Segments {
		s := &m.Segments[i]
		if s.Tag == "NAD" && (s.Is("NAD", "MS") || s.Is("NAD", "MR")) {
			switch s.Value(1, 2) {
			case "293":
				return catalog.Strom, true
			case "332":
				return catalog.Gas, true
			}
		}
	}
	return catalog.SectorUnspecified, false
}

// partySector reads the sector from a UNB code qualifier 0007 (ref §2: 500
// BDEW = Strom, 502 DVGW = Gas; 14 GS1 says nothing).
func partySector(q string) (Sector, bool) {
	switch q {
	case "500":
		return catalog.Strom, true
	case "502":
		return catalog.Gas, true
	}
	return catalog.SectorUnspecified, false
}
