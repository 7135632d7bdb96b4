package edifact

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

// CONTRL action codes (DE0083, ref §10.2).
const (
	ContrlRejected     = "4" // syntax error: the interchange is rejected
	ContrlAcknowledged = "7" // Empfangsbestätigung (Gas only)
)

// ContrlParams are the parameters of a CONTRL answer; the builder takes no
// clock or randomness of its own.
type ContrlParams struct {
	// Ref is UNB/UNZ 0020 of the CONTRL interchange (our DAR).
	Ref string
	// MessageRef is UNH/UNT 0062 of the CONTRL message; default "1".
	MessageRef string
	// Time is the preparation time (UNB S004, written in UTC).
	Time time.Time
	// Sender overrides the CONTRL sender; default: the original recipient
	// (UNB S003 of the received interchange).
	Sender Party
	// Sector is the receiver's (our) sector, which decides (ref §10.1); when
	// unspecified the report's sector is used. With no sector at all the
	// Strom rule (CONTRL only on error) applies.
	Sector Sector
}

// BuildCONTRL builds the CONTRL interchange that answers ix given its check
// report (ref §10). It returns due = false and the reason when none is to be
// sent:
//   - never for an interchange that contains a CONTRL (ref §10.1, §18.10);
//   - in Strom (and when the sector is unknown) only if the report has
//     errors (UCI 0083 = 4);
//   - in Gas always: 0083 = 7 when clean, 4 on errors;
//   - not when the interchange has no readable UNB to answer, when UCI
//     cannot echo its 0020, S002 or S003 within their formats, or when it
//     names no recipient and p names no sender (nobody to send it from).
//
// The CONTRL goes back to the original sender; UCI echoes the original UNB
// 0020, S002 and S003 unchanged (ref §10.2, §18.11). Interchange-level
// findings go into UCI (first one only, CONTRL has one UCI) with the
// mandatory 0085 and 0013 (UNA, UNB or UNZ); otherwise every faulty message
// gets an SG1 UCM, with 0085/0013 when the fault is in UNH or UNT and SG2
// UCS/UCD for faults in body segments. A rejection therefore always carries
// either UCI 0085/0013 or at least one UCM, as the CONTRL AHB demands. err
// is non-nil only when rep holds a finding no CONTRL can report (no CONTRL
// level, or a message index outside ix); nothing is built then.
func BuildCONTRL(ix *Interchange, rep *Report, p ContrlParams) (out []byte, due bool, reason string, err error) {
	if ix == nil || rep == nil {
		return nil, false, "nothing to answer", nil
	}
	for i := range ix.Messages {
		if ix.Messages[i].Type() == catalog.CONTRL {
			return nil, false, "never a CONTRL for a CONTRL", nil
		}
	}
	unb := ix.UNB()
	if unb.Segment == nil || unb.Sender.ID == "" || unb.ControlRef == "" {
		return nil, false, "the interchange has no readable UNB (sender, 0020) to answer", nil
	}
	if !echoable(unb) {
		return nil, false, "the interchange's UNB 0020, S002 or S003 is longer than UCI can echo (an..14, an..35:an..4)", nil
	}
	sector := p.Sector
	if sector == catalog.SectorUnspecified {
		sector = rep.Sector
	}
	action := ContrlAcknowledged
	if rep.HasErrors() {
		action = ContrlRejected
	} else if sector != catalog.Gas {
		name := sector.String()
		if name == "" {
			name = "unknown sector (Strom rule applied)"
		}
		return nil, false, "no syntax error; " + name + " sends a CONTRL only on error", nil
	}
	sender := p.Sender
	if sender.ID == "" {
		sender = unb.Recipient
	}
	if sender.ID == "" {
		return nil, false, "the interchange names no recipient and no CONTRL sender is given", nil
	}
	// UCI 0010 echoes UNB S003 and is mandatory (ref §10.2); an interchange
	// addressed to nobody is answered as received by the CONTRL's sender.
	echoed := unb.Recipient
	if echoed.ID == "" {
		echoed = sender
	}
	mref := p.MessageRef
	if mref == "" {
		mref = "1"
	}
	version := "2.0b" // ref §10.2; every FV of the §7.2 table
	if v, ok := catalog.UNHVersion(catalog.CONTRL, catalog.SectorUnspecified, rep.FormatVersion); ok {
		version = v
	}
	b := NewInterchangeBuilder(sender, unb.Sender, p.Ref, p.Time)
	m := b.Message(mref, "CONTRL", "D", "3", "UN", version)
	uci := []Value{E(unb.ControlRef), C(unb.Sender.ID, unb.Sender.Qualifier), C(echoed.ID, echoed.Qualifier), E(action)}
	if action == ContrlAcknowledged {
		m.Segment("UCI", uci...)
	} else {
		ucms, first, err := contrlPlan(ix, rep)
		if err != nil {
			return nil, false, "", err
		}
		if first != nil {
			// Syntaxfehlermeldung in der Übertragungsdatei: 0085 and 0013
			// are mandatory (ref §10.2).
			uci = append(uci, E(strconv.Itoa(int(first.code))), E(first.tag))
			if first.element > 0 {
				uci = append(uci, C(strconv.Itoa(first.element), positionOrEmpty(first.component)))
			}
			m.Segment("UCI", uci...)
		} else {
			// Syntaxfehlermeldung in der Nachricht: at least one UCM.
			m.Segment("UCI", uci...)
			writeUCMs(m, ucms)
		}
	}
	out, err = b.Bytes()
	if err != nil {
		return nil, false, "", fmt.Errorf("edifact: build CONTRL: %w", err)
	}
	if action == ContrlAcknowledged {
		return out, true, "Gas: acknowledgement (0083=7) for every interchange", nil
	}
	return out, true, "syntax errors: interchange rejected (0083=4)", nil
}

// echoable reports whether UCI can echo the UNB's 0020, S002 and S003
// unchanged within their formats (ref §10.2; the lengths of unbElems).
func echoable(u UNB) bool {
	fits := func(v string, elem, comp int) bool { return len(v) <= unbElems[elem].maxLen[comp] }
	return fits(u.ControlRef, 4, 0) && fits(u.Sender.ID, 1, 0) && fits(u.Sender.Qualifier, 1, 1) &&
		fits(u.Recipient.ID, 2, 0) && fits(u.Recipient.Qualifier, 2, 1)
}

func positionOrEmpty(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// uciFault is what a UCI reports for an interchange-level rejection:
// DE0085, DE0013 (UNA, UNB or UNZ) and the optional DE0098:0104.
type uciFault struct {
	code               Code
	tag                string
	element, component int
}

// ucmPlan is the SG1 of one faulty message: the UCM, and its SG2 body
// findings when the fault is not in UNH/UNT.
type ucmPlan struct {
	ref  string
	id   MessageID
	head *Finding
	body []*Finding
}

// contrlPlan decides how the rejection of ix is reported (ref §10.2): as a
// UCI fault when the report has an interchange-level finding — or a faulty
// message that a UCM cannot name because it has no UNH or UNT 0062 — and
// otherwise as one UCM per faulty message. Every finding of rep must be
// reportable: a message-level, segment or element finding must belong to a
// message of ix; otherwise the report cannot be answered by a CONTRL the
// AHB accepts and an error says which finding it is.
func contrlPlan(ix *Interchange, rep *Report) ([]ucmPlan, *uciFault, error) {
	var first *Finding
	byMsg := make([]ucmPlan, len(ix.Messages))
	for i := range rep.Findings {
		f := &rep.Findings[i]
		switch f.Level {
		case LevelInterchange:
			if first == nil {
				first = f
			}
			continue
		case LevelMessage, LevelSegment, LevelElement:
		default:
			return nil, nil, fmt.Errorf("edifact: build CONTRL: finding %s has no CONTRL level", f)
		}
		if f.MessageIndex < 0 || f.MessageIndex >= len(ix.Messages) {
			return nil, nil, fmt.Errorf("edifact: build CONTRL: finding %s names message %d of %d", f, f.MessageIndex, len(ix.Messages))
		}
		u := &byMsg[f.MessageIndex]
		if f.Level == LevelMessage {
			if u.head == nil {
				u.head = f
			}
		} else {
			u.body = append(u.body, f)
		}
	}
	if first != nil {
		return nil, uciFaultOf(ix, first), nil
	}
	var out []ucmPlan
	for mi := range byMsg {
		u := byMsg[mi]
		if u.head == nil && len(u.body) == 0 {
			continue
		}
		msg := &ix.Messages[mi]
		u.id = msg.Header().MessageID
		refs := []string{msg.Ref()}
		if unt, ok := msg.Trailer(); ok {
			refs = append(refs, unt.Ref) // the sender's other name of the message
		}
		code := CodeMissing
		for _, r := range refs {
			switch {
			case r == "":
			case len(r) > unhMax[0][0]:
				code = CodeInvalidValue
			case u.ref == "":
				u.ref = r
			}
		}
		if u.ref == "" {
			// UCM 0062 (an..14) is mandatory: a message without a reference
			// that fits is reported as a missing (13) or invalid (12) element
			// of the interchange. [guidance] The CONTRL AHB names no 0013 for
			// a fault outside UNA/UNB/UNZ; the service segment closing the
			// interchange is named (unverified).
			return nil, &uciFault{code: code, tag: "UNZ"}, nil
		}
		out = append(out, u)
	}
	if len(out) == 0 { // unreachable: rep has findings and all are placed
		return nil, nil, errors.New("edifact: build CONTRL: the report names no fault")
	}
	return out, nil, nil
}

// uciFaultOf maps interchange-level finding f to the UCI fields. UCI 0013
// names only UNA, UNB or UNZ (ref §10.2); a fault in another segment (a
// segment outside any message, a tokenizer failure in a body segment) is
// reported against UNB when it lies before the first message and against
// UNZ otherwise, without a data element position, which would be that of
// the other segment. [guidance] The reference names no 0013 for such a
// fault (unverified).
func uciFaultOf(ix *Interchange, f *Finding) *uciFault {
	switch f.Tag {
	case "UNA", "UNB", "UNZ":
		return &uciFault{code: f.Code, tag: f.Tag, element: f.Element, component: f.Component}
	}
	tag := "UNZ"
	if f.SegmentIndex < 0 || len(ix.Messages) == 0 || len(ix.Messages[0].Segments) == 0 || f.SegmentIndex < ix.Messages[0].Segments[0].Index {
		tag = "UNB"
	}
	return &uciFault{code: f.Code, tag: tag}
}

// writeUCMs writes SG1 UCM (and SG2 UCS/UCD) for every faulty message.
func writeUCMs(m *MessageBuilder, ucms []ucmPlan) {
	for _, u := range ucms {
		head, body := u.head, u.body
		ucm := []Value{E(u.ref), C(u.id.Components()...), E(ContrlRejected)}
		if head != nil {
			tag := head.Tag
			if tag != "UNH" && tag != "UNT" {
				tag = "UNH"
			}
			m.Segment("UCM", append(ucm, E(strconv.Itoa(int(head.Code))), E(tag))...)
			continue
		}
		m.Segment("UCM", ucm...)
		slices.SortStableFunc(body, func(a, b *Finding) int { return cmp.Compare(a.Position, b.Position) })
		// SG2: one UCS per faulty segment position, then its UCDs.
		done := map[int]bool{}
		for _, f := range body {
			if done[f.Position] {
				continue
			}
			done[f.Position] = true
			var ucds []*Finding
			var segCode *Finding
			for _, g := range body {
				if g.Position != f.Position {
					continue
				}
				if g.Level == LevelElement {
					ucds = append(ucds, g)
				} else if segCode == nil {
					segCode = g
				}
			}
			ucs := []Value{E(strconv.Itoa(f.Position))}
			if len(ucds) == 0 && segCode != nil {
				ucs = append(ucs, E(strconv.Itoa(int(segCode.Code))))
			}
			m.Segment("UCS", ucs...)
			for _, g := range ucds {
				m.Segment("UCD", E(strconv.Itoa(int(g.Code))), C(strconv.Itoa(g.Element), positionOrEmpty(g.Component)))
			}
		}
	}
}
