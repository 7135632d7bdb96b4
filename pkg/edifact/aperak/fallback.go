package aperak

import (
	"errors"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
)

// BestEffortReference is ReferenceFrom for an answer that must reach the
// sender even when the received message is faulty: what ReferenceFrom
// cannot read is filled in from the interchange header — the message date
// from UNB S004 (else at, the receipt time), the document number from UNH
// 0062, the parties from UNB S002/S003 — and err describes what was
// substituted (nil when nothing was). It fails only without a UNB 0020,
// without which no answer can refer to anything.
func BestEffortReference(ix *edifact.Interchange, m *edifact.Message, tx *edifact.Transaction, at time.Time) (Reference, error) {
	r, err := ReferenceFrom(ix, m, tx)
	if err == nil {
		return r, nil
	}
	if ix == nil || m == nil || ix.UNB().ControlRef == "" {
		return r, err
	}
	unb := ix.UNB()
	r.Interchange = unb.ControlRef
	if r.MessageDate.IsZero() || !dtmReadable(m) {
		if t, ok := unb.Prepared(); ok {
			r.MessageDate = t
		} else {
			r.MessageDate = at
		}
	}
	if r.Document == "" {
		r.Document = m.Ref()
	}
	if tx != nil && tx.Opening != nil && r.Transaction == "" {
		r.Transaction = tx.ID
	}
	if r.Sender.ID == "" {
		r.Sender = Party{ID: unb.Sender.ID, CodeList: unb.Sender.Qualifier}
	}
	if r.Recipient.ID == "" {
		r.Recipient = Party{ID: unb.Recipient.ID, CodeList: unb.Recipient.Qualifier}
	}
	return r, fmt.Errorf("reference completed from the interchange header: %w", err)
}

// dtmReadable reports whether the message's DTM+137 has a valid value.
func dtmReadable(m *edifact.Message) bool {
	s, _ := m.Find(0, "DTM", "137")
	if s == nil {
		return false
	}
	_, err := catalog.ParseDTM(s.Value(0, 1), s.Value(0, 2))
	return err == nil
}

// FaultyValue returns the problem to report for the first DTM segment of
// transaction tx of m (or of the whole message when tx is nil) whose value
// does not match its format: ERC Z35 (format not respected, edifact.md
// §11.5) with the segment as location (FTX+Z02). ok is false when every
// DTM value is readable.
func FaultyValue(m *edifact.Message, tx *edifact.Transaction) (p Problem, ok bool) {
	// The message head (up to the first transaction, with DTM+137) belongs
	// to every transaction; then the transaction's own segments.
	var idx []int
	head, from, to := len(m.Segments), 0, len(m.Segments)
	if txs := edifact.Transactions(m); len(txs) > 0 {
		head = txs[0].Start
	}
	if tx != nil && tx.End > tx.Start {
		from, to = tx.Start, min(tx.End, len(m.Segments))
	}
	for i := 0; i < min(head, len(m.Segments)); i++ {
		idx = append(idx, i)
	}
	for i := max(from, head); i < to; i++ {
		idx = append(idx, i)
	}
	for _, i := range idx {
		s := &m.Segments[i]
		if s.Tag != "DTM" {
			continue
		}
		// A format code ParseDTM does not interpret (802, 106 … in UTILMD
		// Gas) is no evidence of a faulty value: never blame the sender
		// for it.
		if _, err := catalog.ParseDTM(s.Value(0, 1), s.Value(0, 2)); err != nil && !errors.Is(err, catalog.ErrDTMUnknownFormat) {
			loc := LocationOf("DTM+"+s.Value(0, 0), s)
			return Problem{Code: "Z35", Location: &loc}, true
		}
	}
	return Problem{}, false
}

// Fallback builds the APERAK 313 that answers transaction tx of message m
// when the regular answer could not be built (the workflow or the regular
// builder failed): the reference is read as far as possible
// (BestEffortReference); the problem is the first unreadable DTM value
// (FaultyValue, Z35) if there is one, else fallback. A fallback code that
// requires a location (Z29 …) gets the message type as its location. It
// returns the interchange, the problem it reports and a note on what was
// substituted ("" if nothing).
func Fallback(ix *edifact.Interchange, m *edifact.Message, tx *edifact.Transaction, v fv.Version, ref string, at time.Time, fallback Problem) ([]byte, Problem, string, error) {
	r, rerr := BestEffortReference(ix, m, tx, at)
	if r.Interchange == "" {
		return nil, Problem{}, "", rerr
	}
	pr, ok := FaultyValue(m, tx)
	if !ok {
		pr = fallback
		if e, known := catalog.LookupERC(pr.Code); known && e.RequiresLocation && pr.Location == nil {
			pr.Location = &Location{Name: m.Type()}
		}
	}
	out, err := Build(Params{FormatVersion: v, Ref: ref, Time: at}, Message{Ref: "1", DocumentNumber: ref, Reference: r, Problems: []Problem{pr}})
	if err != nil {
		return nil, pr, "", errors.Join(err, rerr)
	}
	note := ""
	if rerr != nil {
		note = rerr.Error()
	}
	return out, pr, note, nil
}
