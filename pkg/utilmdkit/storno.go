package utilmdkit

import (
	"context"
	"fmt"
	"slices"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// CancelDeadline adds each label to the decision's CancelDeadlines once
// (a label already named is not repeated).
func (x *Decision[S]) CancelDeadline(labels ...string) {
	for _, l := range labels {
		if !slices.Contains(x.D.CancelDeadlines, l) {
			x.D.CancelDeadlines = append(x.D.CancelDeadlines, l)
		}
	}
}

// OpenAnfrage is the NB's Anfrage to the LFA in a supplier switch (Strom
// 55010, Gas 44010) as its process records it: the transaction sent (Tx,
// empty if none was needed), its recipient, and whether the LFA answered in
// time or the wait for it expired.
type OpenAnfrage struct {
	Tx, LFA           string
	Answered, Expired bool
}

// Open reports whether the Anfrage was sent and is still unanswered: no
// answer in time, the wait not expired.
func (a OpenAnfrage) Open() bool { return a.Tx != "" && !a.Answered && !a.Expired }

// RevokeAnfrage is the NB's step after it confirmed the Stornierung of the
// Anmeldung its process answers (both families): an Anfrage still open
// (OpenAnfrage.Open) is cancelled with a Stornierung of its own — send is
// called with the LFA and the Anfrage's transaction (RFF+ACW) — so that the
// LFA does not end its supply for a switch that no longer happens. The
// LFA's answer (confirmation or refusal) reaches the NB's process and is
// recorded. An Anfrage answered or expired is left alone: its answer is in
// (or no longer counts), and no Beendigung follows the cancelled switch.
// INTERPRETATION: the BDEW documents in the project's references do not
// say whether the NB revokes its Anfrage; the families document the choice
// (docs/gpke.md, docs/geligas.md).
func RevokeAnfrage(a OpenAnfrage, send func(lfa, tx string) error) error {
	if !a.Open() {
		return nil
	}
	return send(a.LFA, a.Tx)
}

// OwnStorno is the ERP's request that a process cancel a transaction it
// sent (RequestCancellation routed by RouteCancellation), with what the
// process recorded of that transaction.
type OwnStorno struct {
	// Tx is the transaction to cancel (RFF+ACW of the Stornierung).
	Tx string
	// Found: the process sent Tx; PID and Recipient are then its PID and
	// recipient, Storno whether it is itself a Stornierung, BGM the
	// category of its use case ("" when the use case has none).
	Found     bool
	PID       string
	Recipient string
	Storno    bool
	BGM       string
	// To and Category are the recipient and category the ERP names.
	To, Category string
}

// Resolve decides the Stornierung (both families): ok false when nothing
// is sent — the process did not send Tx, Tx is a Stornierung itself, or the
// ERP names another recipient than Tx's — with the note that says why.
// Otherwise category is the BGM the Stornierung carries: the category of
// the cancelled message (AHB 55022/44022 [500]), i.e. the use case's BGM;
// the ERP's category only where the use case has none. A differing ERP
// category is replaced and the note says so (ok true).
func (c OwnStorno) Resolve() (category, note string, ok bool) {
	switch {
	case !c.Found:
		return "", "Stornierung of " + c.Tx + " not sent: not a transaction of this process", false
	case c.Storno:
		return "", "Stornierung of " + c.Tx + " not sent: a Stornierung is not cancelled", false
	case c.Recipient != c.To:
		return "", "Stornierung of " + c.Tx + " not sent: it went to " + c.Recipient + ", not " + c.To, false
	case c.BGM != "" && c.BGM != c.Category:
		return c.BGM, "Stornierung of " + c.Tx + ": category " + c.Category + " replaced by " + c.BGM + ", the BGM of the cancelled " + c.PID, true
	}
	return c.Category, "", true
}

// OwnStornoOf returns the OwnStorno of the ERP's request c in a process of
// family F: sent looks up what the process recorded of a transaction it
// sent (its PID and recipient; ok false if it did not send it), stornoPID
// is the family's Stornierung (55022/44022) and bgm gives the category of a
// PID's use case ("" when it has none).
func OwnStornoOf[F Family](c RequestCancellation[F], stornoPID string, sent func(tx string) (pid, recipient string, ok bool), bgm func(pid string) string) OwnStorno {
	s := OwnStorno{Tx: c.TransactionID, To: c.Recipient, Category: c.Category}
	if pid, recipient, ok := sent(c.TransactionID); ok {
		s.Found, s.PID, s.Recipient, s.Storno, s.BGM = true, pid, recipient, pid == stornoPID, bgm(pid)
	}
	return s
}

// Send carries out the decision of Resolve: note is called with Resolve's
// note if there is one (why nothing is sent, or that the category was
// replaced), then send with the category when a Stornierung is sent (to
// c.Recipient, RFF+ACW c.Tx). Its error is returned; nothing else fails.
func (c OwnStorno) Send(note func(string), send func(category string) error) error {
	category, why, ok := c.Resolve()
	if why != "" {
		note(why)
	}
	if !ok {
		return nil
	}
	return send(category)
}

// CancelsOwnRequest reports whether a confirmed Stornierung of cancelTx
// ends a sending process: cancelTx is the process's first transaction
// (first, "" if none was sent) and the process was started by the ERP
// (erpStarted), so the request the ERP ordered is withdrawn — the LFN's
// Anmeldung ends cancelled. A Stornierung of a later transaction, or one
// sent by a process that answers a request, ends nothing.
func CancelsOwnRequest(erpStarted bool, first, cancelTx string) bool {
	return erpStarted && first != "" && first == cancelTx
}

// RouteCancellation returns the Route of family F's RequestCancellation
// (erp.CommandType.Route): to the process that sent the transaction it
// cancels, bound under inbound.TransactionKey(Sender, TransactionID) (Send
// binds it for every transaction). That process sends the Stornierung and
// receives its answer, so that a confirmation ends it. A transaction no
// process of the tenant sent is refused by the runtime (no process under
// the key; nothing is sent). A payload that is no RequestCancellation[F] is
// refused with an error wrapping invalid.
func RouteCancellation[F Family](invalid error) func(context.Context, erp.Request, engine.CommandData) (erp.Target, error) {
	return func(_ context.Context, _ erp.Request, payload engine.CommandData) (erp.Target, error) {
		c, ok := payload.(RequestCancellation[F])
		if !ok {
			return erp.Target{}, fmt.Errorf("%w: %T is not a RequestCancellation", invalid, payload)
		}
		k := inbound.TransactionKey(c.Sender, c.TransactionID)
		return erp.Target{Existing: &k}, nil
	}
}
