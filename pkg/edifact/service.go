package edifact

import "time"

// Party identifies an interchange sender or recipient (UNB S002/S003): the
// MP-ID (0004/0010) and its code qualifier 0007 ("500" BDEW, "502" DVGW,
// "14" GS1; ref §2).
type Party struct {
	ID        string `json:"id"`
	Qualifier string `json:"qualifier,omitempty"`
}

// String returns "ID:Qualifier" (or ID alone without qualifier).
func (p Party) String() string {
	if p.Qualifier == "" {
		return p.ID
	}
	return p.ID + ":" + p.Qualifier
}

// UNB is the typed view of the interchange header
// UNB+S001+S002+S003+S004+0020+S005+0026+0029+0031+0032+0035 (ref §2).
type UNB struct {
	SyntaxID      string // S001 0001, "UNOC"
	SyntaxVersion string // S001 0002, "3"
	Sender        Party  // S002 0004:0007
	Recipient     Party  // S003 0010:0007
	Date          string // S004 0017, YYMMDD
	Time          string // S004 0019, HHMM
	ControlRef    string // 0020 Datenaustauschreferenz (DAR)
	AppRef        string // 0026 application reference (MSCONS: EM/VL/TL)
	TestIndicator string // 0035, "1" = test interchange
	Segment       *Segment
}

// Prepared returns S004 as an instant. S004 carries no zone; EDI@Energy
// writes UTC (ref §13 worked example; whether that is binding is unverified,
// ref §2), so the value is interpreted as UTC. ok is false when S004 is not
// a valid YYMMDD:HHMM.
func (u UNB) Prepared() (t time.Time, ok bool) {
	if len(u.Date) != 6 || len(u.Time) != 4 {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("060102 1504", u.Date+" "+u.Time, time.UTC)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// IsTest reports whether 0035 = 1.
func (u UNB) IsTest() bool { return u.TestIndicator == "1" }

func parseUNB(s *Segment) UNB {
	return UNB{
		SyntaxID:      s.Value(0, 0),
		SyntaxVersion: s.Value(0, 1),
		Sender:        Party{ID: s.Value(1, 0), Qualifier: s.Value(1, 1)},
		Recipient:     Party{ID: s.Value(2, 0), Qualifier: s.Value(2, 1)},
		Date:          s.Value(3, 0),
		Time:          s.Value(3, 1),
		ControlRef:    s.Value(4, 0),
		AppRef:        s.Value(6, 0),
		TestIndicator: s.Value(10, 0),
		Segment:       s,
	}
}

// UNZ is the typed view of the interchange trailer UNZ+0036+0020.
type UNZ struct {
	MessageCount string // 0036
	ControlRef   string // 0020
	Segment      *Segment
}

// MessageID is UNH S009: message type, version, release, agency and the
// association-assigned code 0057 (the BDEW MIG version, e.g. "S2.2").
type MessageID struct {
	Type        string `json:"type"`        // 0065, e.g. "UTILMD"
	Version     string `json:"version"`     // 0052, "D"
	Release     string `json:"release"`     // 0054, e.g. "11A"
	Agency      string `json:"agency"`      // 0051, "UN"
	Association string `json:"association"` // 0057, e.g. "S2.2"
}

// String returns the S009 composite as written in UNH, e.g.
// "UTILMD:D:11A:UN:S2.2".
func (id MessageID) String() string {
	return id.Type + ":" + id.Version + ":" + id.Release + ":" + id.Agency + ":" + id.Association
}

// Components returns the five S009 components (for building UCM, which
// echoes S009).
func (id MessageID) Components() []string {
	return []string{id.Type, id.Version, id.Release, id.Agency, id.Association}
}

// UNH is the typed view of the message header
// UNH+0062+0065:0052:0054:0051:0057[+0068+0070:0073] (ref §3).
type UNH struct {
	Ref             string // 0062 message reference
	MessageID              // S009
	CommonAccessRef string // 0068, only for split lists
	SequenceNumber  string // S010 0070
	FirstLast       string // S010 0073, "C" first / "F" last
	Segment         *Segment
}

func parseUNH(s *Segment) UNH {
	return UNH{
		Ref: s.Value(0, 0),
		MessageID: MessageID{
			Type: s.Value(1, 0), Version: s.Value(1, 1), Release: s.Value(1, 2),
			Agency: s.Value(1, 3), Association: s.Value(1, 4),
		},
		CommonAccessRef: s.Value(2, 0),
		SequenceNumber:  s.Value(3, 0),
		FirstLast:       s.Value(3, 1),
		Segment:         s,
	}
}

// UNT is the typed view of the message trailer UNT+0074+0062.
type UNT struct {
	SegmentCount string // 0074, counts UNH through UNT
	Ref          string // 0062
	Segment      *Segment
}
