package edifact

import (
	"cmp"
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
//   - not when the interchange has no readable UNB to answer.
//
// The CONTRL goes back to the original sender; UCI echoes the original UNB
// 0020, S002 and S003 unchanged (ref §10.2, §18.11). Interchange-level
// findings go into UCI (first one only, CONTRL has one UCI); otherwise every
// faulty message gets an SG1 UCM, with 0085/0013 when the fault is in UNH or
// UNT and SG2 UCS/UCD for faults in body segments.
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
	uci := []Value{E(unb.ControlRef), C(unb.Sender.ID, unb.Sender.Qualifier), C(unb.Recipient.ID, unb.Recipient.Qualifier), E(action)}
	var first *Finding
	for i := range rep.Findings {
		if rep.Findings[i].Level == LevelInterchange {
			first = &rep.Findings[i]
			break
		}
	}
	if first != nil {
		tag := first.Tag
		if tag != "UNA" && tag != "UNB" && tag != "UNZ" {
			tag = "" // UCI 0013 names only UNA, UNB or UNZ (ref §10.2)
		}
		uci = append(uci, E(strconv.Itoa(int(first.Code))), E(tag))
		if first.Element > 0 && tag != "" {
			uci = append(uci, C(strconv.Itoa(first.Element), positionOrEmpty(first.Component)))
		}
		m.Segment("UCI", uci...)
	} else {
		m.Segment("UCI", uci...)
		if action == ContrlRejected {
			addUCMs(m, ix, rep)
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

func positionOrEmpty(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// addUCMs writes SG1 UCM (and SG2 UCS/UCD) for every faulty message.
func addUCMs(m *MessageBuilder, ix *Interchange, rep *Report) {
	for mi := range ix.Messages {
		msg := &ix.Messages[mi]
		var head *Finding
		var body []*Finding
		for i := range rep.Findings {
			f := &rep.Findings[i]
			if f.MessageIndex != mi {
				continue
			}
			switch f.Level {
			case LevelMessage:
				if head == nil {
					head = f
				}
			case LevelSegment, LevelElement:
				body = append(body, f)
			}
		}
		if head == nil && len(body) == 0 {
			continue
		}
		id := msg.Header().MessageID
		ucm := []Value{E(msg.Ref()), C(id.Components()...), E(ContrlRejected)}
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
