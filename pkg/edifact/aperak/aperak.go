// Package aperak builds APERAK messages (processability answers,
// edifact.md §11): BGM 312 Anerkennungsmeldung for an accepted transaction
// and BGM 313 Anwendungssystemfehlermeldung with one or more ERC error codes,
// the references to the answered transaction (RFF+ACE, DTM+171, RFF+AGO,
// RFF+TN) and, where the code requires it, FTX+Z02 naming the location of
// the AHB error. The answer is addressed back to the sender of the
// original message.
//
// The builder is deterministic: every reference and the time are
// parameters. It uses pkg/edifact's interchange builder, so the output is
// canonical ("UNA:+.? '", UNOC:3, escaped, counted) and passes
// edifact.Check. The UNH version comes from catalog for the format version
// given (§7.2): MIG 2.2 from FV2610, 2.1i for FV2504–FV2604, 2.1h before.
//
// This package builds; it does not decide whether an APERAK is due (Strom:
// one 312 or 313 per transaction; Gas: 313 only; never on APERAK or CONTRL,
// §11.1, §18) — that is the caller's workflow.
package aperak

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/fv"
)

// Sentinel errors; a *BuildError wraps one of them.
var (
	// ErrNoMessages: Build was called without a message.
	ErrNoMessages = errors.New("aperak: no message to build")
	// ErrFormatVersion: catalog has no APERAK version for the format version.
	ErrFormatVersion = errors.New("aperak: no APERAK version for this format version")
	// ErrReference: a mandatory reference (RFF+ACE, DTM+171, RFF+AGO,
	// message reference, document number, party) is missing.
	ErrReference = errors.New("aperak: mandatory reference missing")
	// ErrParties: the messages of one interchange have different sender or
	// recipient.
	ErrParties = errors.New("aperak: messages of one interchange must have the same sender and recipient")
	// ErrUnknownERC: the error code is not in the ERC list of edifact.md §11.5.
	ErrUnknownERC = errors.New("aperak: unknown ERC code")
	// ErrLocationRequired: the ERC code requires FTX+Z02 (§11.4) and the
	// problem has no location.
	ErrLocationRequired = errors.New("aperak: ERC code requires FTX+Z02 location")
	// ErrSuccessorRequired: ERC Z16 requires SG5 RFF+Z08 with the MP-ID of
	// the succeeding NB (§11.5).
	ErrSuccessorRequired = errors.New("aperak: ERC Z16 requires the succeeding NB (RFF+Z08)")
)

// BuildError names the message (by index and reference) and the problem.
type BuildError struct {
	Message int    // 0-based index in the Build call, -1 for the interchange
	Ref     string // UNH 0062 of that message
	Err     error
	Detail  string
}

// Error formats the failure.
func (e *BuildError) Error() string {
	s := e.Err.Error()
	if e.Message >= 0 {
		s = fmt.Sprintf("%s (message %d, ref %q)", s, e.Message, e.Ref)
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the sentinel error.
func (e *BuildError) Unwrap() error { return e.Err }

// Party is a market partner: the MP-ID with its NAD code list agency
// (3055: 293 BDEW, 332 DVGW, 9 GS1) and UNB code qualifier (0007: 500, 502,
// 14), edifact.md §2, §5. Empty codes are derived from each other or, failing
// that, from the MP-ID's kind (ident.ClassifyMPID).
type Party struct {
	ID       string
	Agency   string // NAD 3055
	CodeList string // UNB 0007
}

func (p Party) complete() (Party, error) {
	if p.ID == "" {
		return p, errors.New("party without MP-ID")
	}
	kind := ident.MPIDUnknown
	if k, ok := ident.MPIDKindForCode(p.Agency); ok {
		kind = k
	} else if k, ok := ident.MPIDKindForCode(p.CodeList); ok {
		kind = k
	} else if k, err := ident.ClassifyMPID(p.ID); err == nil {
		kind = k
	}
	if p.Agency == "" {
		p.Agency = kind.NADAgency()
	}
	if p.CodeList == "" {
		p.CodeList = kind.CodeList()
	}
	if p.Agency == "" || p.CodeList == "" {
		return p, fmt.Errorf("cannot tell the code list of MP-ID %q", p.ID)
	}
	return p, nil
}

// Reference identifies the answered transaction (edifact.md §11.4 SG2) and
// its parties as they appear in the ORIGINAL message.
type Reference struct {
	// Interchange is UNB 0020 (DAR) of the interchange holding the
	// transaction (RFF+ACE).
	Interchange string
	// MessageDate is DTM+137 of the checked message (DTM+171).
	MessageDate time.Time
	// Document is BGM 1004 of the checked message (RFF+AGO).
	Document string
	// Transaction is the Vorgangsnummer (IDE 7402; RFF+TN). Empty for an
	// error before the transaction level, which rejects the whole message
	// without RFF+TN (§11.1).
	Transaction string
	// Sender and Recipient are NAD+MS and NAD+MR of the original message.
	// The APERAK goes from Recipient back to Sender.
	Sender, Recipient Party
}

// Location is the content of FTX+Z02: the segment (or group, for Z40 its
// opening segment) name as in the MIG and, optionally, the faulty segment
// verbatim (edifact.md §11.4). No position counting.
type Location struct {
	Name   string
	Faulty string // canonical segment text without terminator, e.g. from edifact.Segment.Canonical
}

// LocationOf returns the location of a faulty segment s of the received
// message, named name (e.g. "Bestandteil eines Produktpakets" or the MIG
// segment name).
func LocationOf(name string, s *edifact.Segment) Location {
	if s == nil {
		return Location{Name: name}
	}
	return Location{Name: name, Faulty: s.Canonical()}
}

// Problem is one SG4 ERC group of a 313.
type Problem struct {
	// Code is the ERC code (DE9321), e.g. "Z29" (§11.5).
	Code string
	// Content is the deviating content for FTX+ABO (e.g. the unknown ID for
	// Z10); "Soll" when faulty content exists.
	Content string
	// Text is optional free text for FTX+AAO.
	Text string
	// Location is FTX+Z02; required for Z21, Z29, Z35, Z38, Z39, Z40, Z41.
	Location *Location
	// SuccessorNB is the MP-ID of the succeeding NB for Z16 (SG5 RFF+Z08).
	SuccessorNB string
}

// Message is one APERAK message: the answer to exactly one transaction
// (§11.1). Without problems it is a 312, with problems a 313.
type Message struct {
	// Ref is UNH/UNT 0062 of the APERAK message.
	Ref string
	// DocumentNumber is BGM 1004 of the APERAK.
	DocumentNumber string
	// Reference identifies the answered transaction.
	Reference Reference
	// Problems are the ERC groups of a 313; empty for a 312.
	Problems []Problem
}

// Contact is CTA/COM contact information, emitted only for MIG 2.1i and
// older (FV2504–FV2604); MIG 2.2 (FV2610) drops CTA/COM (§11.4).
type Contact struct {
	Name    string // CTA+IC C056 3412
	Address string // COM C076 3148
	Channel string // COM C076 3155, e.g. "TE", "EM"
}

// Params are the interchange parameters.
type Params struct {
	// FormatVersion selects the UNH version and layout (catalog, §7.2).
	FormatVersion fv.Version
	// Ref is UNB/UNZ 0020 of the APERAK interchange.
	Ref string
	// Time is the preparation time: UNB S004 and DTM+137 (UTC, format 303).
	Time time.Time
	// Contact is optional; see Contact.
	Contact *Contact
}

// maxText is the length of FTX C108 4440 (an..512 in the UN/EDIFACT D.07B directory; not
// stated in edifact.md). Longer location texts are cut to this many characters.
const maxText = 512

// Build builds one APERAK interchange holding msgs, addressed from the
// original recipient to the original sender (all messages must share
// them). It validates the ERC rules of §11.4/§11.5 and returns a
// *BuildError (wrapping a sentinel error) when a rule or a mandatory
// reference is violated, or an *edifact.BuildError for values outside
// ISO 8859-1.
func Build(p Params, msgs ...Message) ([]byte, error) {
	if len(msgs) == 0 {
		return nil, &BuildError{Message: -1, Err: ErrNoMessages}
	}
	s009, ok := catalog.UNHS009(catalog.APERAK, catalog.SectorUnspecified, p.FormatVersion)
	if !ok {
		return nil, &BuildError{Message: -1, Err: ErrFormatVersion, Detail: p.FormatVersion.String()}
	}
	if p.Ref == "" {
		return nil, &BuildError{Message: -1, Err: ErrReference, Detail: "interchange reference (UNB 0020)"}
	}
	if p.Time.IsZero() {
		return nil, &BuildError{Message: -1, Err: ErrReference, Detail: "preparation time"}
	}
	layout22 := !p.FormatVersion.Before(fv.MustParse("FV2610"))

	// The APERAK goes back: its sender is the original recipient.
	var from, to Party
	for i, m := range msgs {
		if err := validate(m); err != nil {
			err.Message, err.Ref = i, m.Ref
			return nil, err
		}
		f, err1 := m.Reference.Recipient.complete()
		t, err2 := m.Reference.Sender.complete()
		if err := errors.Join(err1, err2); err != nil {
			return nil, &BuildError{Message: i, Ref: m.Ref, Err: ErrReference, Detail: err.Error()}
		}
		if i == 0 {
			from, to = f, t
		} else if f.ID != from.ID || t.ID != to.ID {
			return nil, &BuildError{Message: i, Ref: m.Ref, Err: ErrParties}
		}
	}

	b := edifact.NewInterchangeBuilder(
		edifact.Party{ID: from.ID, Qualifier: from.CodeList},
		edifact.Party{ID: to.ID, Qualifier: to.CodeList},
		p.Ref, p.Time)
	created := catalog.FormatDTM303(p.Time)
	for _, m := range msgs {
		r := m.Reference
		code := catalog.APERAKAcknowledgement
		if len(m.Problems) > 0 {
			code = catalog.APERAKError
		}
		mb := b.MessageFor(m.Ref, edifact.MessageID{
			Type: s009.Type, Version: s009.Version, Release: s009.Release,
			Agency: s009.Agency, Association: s009.Association,
		})
		mb.Segment("BGM", edifact.E(code), edifact.E(m.DocumentNumber)).
			Segment("DTM", edifact.C("137", created, catalog.DTMFormat303)).
			// SG2: the referenced interchange, message date, document and transaction.
			Segment("RFF", edifact.C("ACE", r.Interchange)).
			Segment("DTM", edifact.C("171", catalog.FormatDTM303(r.MessageDate), catalog.DTMFormat303)).
			Segment("RFF", edifact.C("AGO", r.Document))
		if r.Transaction != "" {
			mb.Segment("RFF", edifact.C("TN", r.Transaction))
		}
		// SG3: the APERAK's own sender and recipient.
		mb.Segment("NAD", edifact.E("MS"), edifact.C(from.ID, "", from.Agency))
		if !layout22 && p.Contact != nil {
			mb.Segment("CTA", edifact.E("IC"), edifact.C("", p.Contact.Name)).
				Segment("COM", edifact.C(p.Contact.Address, p.Contact.Channel))
		}
		mb.Segment("NAD", edifact.E("MR"), edifact.C(to.ID, "", to.Agency))
		for _, pr := range m.Problems {
			// SG4: the error code and the deviating content.
			mb.Segment("ERC", edifact.E(pr.Code))
			if pr.Content != "" {
				mb.Segment("FTX", edifact.E("ABO"), edifact.E(""), edifact.E(""), edifact.C(cut(pr.Content)))
			}
			// SG5: the reference repeated (TN if SG2 has TN, else AGO), free
			// text and the error location.
			if r.Transaction != "" {
				mb.Segment("RFF", edifact.C("TN", r.Transaction))
			} else {
				mb.Segment("RFF", edifact.C("AGO", r.Document))
			}
			if pr.Text != "" {
				mb.Segment("FTX", edifact.E("AAO"), edifact.E(""), edifact.E(""), edifact.C(cut(pr.Text)))
			}
			if pr.Location != nil {
				text := []string{cut(pr.Location.Name)}
				if pr.Location.Faulty != "" {
					text = append(text, cut(pr.Location.Faulty))
				}
				mb.Segment("FTX", edifact.E("Z02"), edifact.E(""), edifact.E(""), edifact.C(text...))
			}
			if pr.SuccessorNB != "" {
				mb.Segment("RFF", edifact.C("Z08", pr.SuccessorNB))
			}
		}
	}
	return b.Bytes()
}

func validate(m Message) *BuildError {
	r := m.Reference
	for _, f := range []struct{ v, what string }{
		{m.Ref, "message reference (UNH 0062)"},
		{m.DocumentNumber, "document number (BGM 1004)"},
		{r.Interchange, "referenced interchange (RFF+ACE)"},
		{r.Document, "referenced document (RFF+AGO)"},
	} {
		if f.v == "" {
			return &BuildError{Err: ErrReference, Detail: f.what}
		}
	}
	if r.MessageDate.IsZero() {
		return &BuildError{Err: ErrReference, Detail: "referenced message date (DTM+171)"}
	}
	for _, pr := range m.Problems {
		e, ok := catalog.LookupERC(pr.Code)
		if !ok {
			return &BuildError{Err: ErrUnknownERC, Detail: pr.Code}
		}
		if e.RequiresLocation && (pr.Location == nil || pr.Location.Name == "") {
			return &BuildError{Err: ErrLocationRequired, Detail: pr.Code}
		}
		if e.RequiresSuccessorNB && pr.SuccessorNB == "" {
			return &BuildError{Err: ErrSuccessorRequired, Detail: pr.Code}
		}
	}
	return nil
}

// cut shortens s to maxText characters (runes).
func cut(s string) string {
	if utf8.RuneCountInString(s) <= maxText {
		return s
	}
	r := []rune(s)
	return string(r[:maxText])
}

// ReferenceFrom reads what an APERAK refers to from the received
// interchange ix, its message m and the transaction tx (nil, or a
// transaction without an opening segment, for an answer at message level):
// UNB 0020, DTM+137, BGM 1004, the transaction id, and NAD+MS/MR with their
// 3055 codes (UNB 0007 where UNB names the same MP-ID; §2: UNB 0004/0010 =
// NAD+MS/MR). Missing pieces are reported as an error wrapping
// ErrReference that names the segment.
func ReferenceFrom(ix *edifact.Interchange, m *edifact.Message, tx *edifact.Transaction) (Reference, error) {
	var r Reference
	if ix == nil || m == nil {
		return r, fmt.Errorf("%w: no interchange or message", ErrReference)
	}
	var errs []error
	missing := func(what string) { errs = append(errs, fmt.Errorf("%w: message %s: %s", ErrReference, m.Ref(), what)) }
	unb := ix.UNB()
	if r.Interchange = unb.ControlRef; r.Interchange == "" {
		missing("UNB 0020")
	}
	if s, _ := m.Find(0, "BGM", ""); s != nil && s.Value(1, 0) != "" {
		r.Document = s.Value(1, 0)
	} else {
		missing("BGM 1004")
	}
	if s, _ := m.Find(0, "DTM", "137"); s != nil {
		d, err := catalog.ParseDTM(s.Value(0, 1), s.Value(0, 2))
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: message %s segment %d DTM+137: %w", ErrReference, m.Ref(), m.Position(s), err))
		}
		r.MessageDate = d.Start
	} else {
		missing("DTM+137")
	}
	if tx != nil && tx.Opening != nil {
		if r.Transaction = tx.ID; r.Transaction == "" {
			errs = append(errs, fmt.Errorf("%w: message %s segment %d: transaction without id", ErrReference, m.Ref(), m.Position(tx.Opening)))
		}
	}
	party := func(q string, unbParty edifact.Party) Party {
		s, _ := m.Find(0, "NAD", q)
		if s == nil || s.Value(1, 0) == "" {
			missing("NAD+" + q)
			return Party{}
		}
		p := Party{ID: s.Value(1, 0), Agency: s.Value(1, 2)}
		if unbParty.ID == p.ID {
			p.CodeList = unbParty.Qualifier
		}
		return p
	}
	r.Sender = party("MS", unb.Sender)
	r.Recipient = party("MR", unb.Recipient)
	return r, errors.Join(errs...)
}
