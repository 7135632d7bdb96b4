package utilmdkit

import (
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/ahb/build"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/utilmd"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/wire/delivery"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Header is the envelope of one UTILMD transaction a family sends, in one
// message in one interchange: what every PID carries before its own lines.
type Header struct {
	FV          fv.Version
	Sector      catalog.Sector // catalog.Strom or catalog.Gas
	Interchange string         // UNB 0020
	Document    string         // BGM 1004
	Transaction string         // IDE 7402
	BGM         string         // BGM 1001
	From, To    string         // NAD+MS, NAD+MR (and the UNB parties)
	At          time.Time      // DTM+137 and UNB date
	PID         string         // the Prüfidentifikator whose AHB the message follows
}

// Start begins the message with pkg/ahb/build (which refuses a line the
// PID's AHB does not foresee): BGM, DTM+137, NAD+MS, NAD+MR and the IDE+24
// group, which it returns for the PID's own lines. Finish writes the
// interchange.
func (h Header) Start() (*build.Message, *build.Group, error) {
	m, err := build.New(h.FV, catalog.UTILMD, h.Sector.String(), h.PID)
	if err != nil {
		return nil, nil, err
	}
	_, fromAgency := Party(h.From)
	_, toAgency := Party(h.To)
	r := m.Root()
	r.Seg("BGM+"+h.BGM, edifact.E(h.BGM), edifact.E(h.Document))
	r.Seg("DTM+137", DTM("137", h.At))
	r.Group("NAD+MS", edifact.E("MS"), edifact.C(h.From, "", fromAgency))
	r.Group("NAD+MR", edifact.E("MR"), edifact.C(h.To, "", toAgency))
	return m, r.Group("IDE+24", edifact.E("24"), edifact.E(h.Transaction)), nil
}

// Finish writes m into an interchange from From to To (UNB, UNH with the
// message version of the sector and format version, UNT, UNZ) and returns
// its bytes.
func (h Header) Finish(m *build.Message) ([]byte, error) {
	s009, ok := catalog.UNHS009(catalog.UTILMD, h.Sector, h.FV)
	if !ok {
		return nil, fmt.Errorf("no UTILMD %s version for %s", h.Sector, h.FV)
	}
	from, _ := Party(h.From)
	to, _ := Party(h.To)
	b := edifact.NewInterchangeBuilder(from, to, h.Interchange, h.At)
	mb := b.MessageFor("1", edifact.MessageID{Type: s009.Type, Version: s009.Version, Release: s009.Release, Agency: s009.Agency, Association: s009.Association})
	if err := m.Write(mb); err != nil {
		return nil, err
	}
	return b.Bytes()
}

// Send adds a UTILMD interchange the decision sends and binds the keys its
// answers find the process by — its transaction, document and interchange
// under the sender o.Sender — and the deadline of the partner's APERAK.
func (x *Decision[S]) Send(o engine.Outbound, transaction, document string, aperakDue engine.DeadlineRequest) {
	x.D.Outbound = append(x.D.Outbound, o)
	x.D.Correlate = append(x.D.Correlate, inbound.TransactionKey(o.Sender, transaction), inbound.DocumentKey(o.Sender, document),
		inbound.InterchangeKey(o.Sender, o.InterchangeRef))
	x.D.SetDeadlines = append(x.D.SetDeadlines, aperakDue)
}

// StartERP is the common first step of a process family F starts for an
// ERP command with requestID (started: the process has begun already). For
// a repeated command it records a Noted[F] and reports ok = false;
// otherwise it resolves the decision's format version (ResolveFV) and
// returns the request id to record: requestID, or the command id if empty.
func StartERP[F Family, S any](x *Decision[S], started bool, requestID string) (id string, ok bool, err error) {
	if started {
		x.Emit(Noted[F]{What: "repeated ERP command " + requestID})
		return "", false, nil
	}
	if err := x.ResolveFV(); err != nil {
		return "", false, err
	}
	if requestID == "" {
		requestID = string(x.Cmd.ID)
	}
	return requestID, true, nil
}

// TransactionFV sets the decision's format version, if none is set yet, to
// the one of the received transaction tx; an unknown one wraps errMessage
// (the family's "unreadable" sentinel).
func (x *Decision[S]) TransactionFV(tx inbound.Transaction, errMessage error) error {
	if !x.FV.IsZero() {
		return nil
	}
	v, err := fv.Parse(tx.FormatVersion)
	if err != nil {
		return fmt.Errorf("%w: transaction %s: format version %q", errMessage, tx.TransactionID, tx.FormatVersion)
	}
	x.FV = v
	return nil
}

// MaLoKey is the business key of the processes of a MaLo (kind
// inbound.KeyMaLo): `mako process list --malo` finds them by it.
func MaLoKey(maloID string) engine.BusinessKey {
	return engine.BusinessKey{Kind: inbound.KeyMaLo, Value: maloID}
}

// BindMaLo binds the process under MaLoKey once, in the decision in which
// it learnt its MaLo: before is the MaLo of the state the decision started
// from, now the one after it.
func (x *Decision[S]) BindMaLo(before, now string) {
	if before == "" && now != "" {
		x.D.Correlate = append(x.D.Correlate, MaLoKey(now))
	}
}

// ResolveFV sets the decision's format version, if none is set yet, to the
// one in force at its time (an ERP command carries none).
func (x *Decision[S]) ResolveFV() error {
	if !x.FV.IsZero() {
		return nil
	}
	v, err := fv.Resolve(x.At)
	if err != nil {
		return fmt.Errorf("format version at %s: %w", x.At, err)
	}
	x.FV = v
	return nil
}

// DeliveryReport returns the event of family F that records a deliverer's
// report on an outbound message of the process (delivery.Confirmed →
// Delivered, delivery.Failed → Undelivered); ok is false for any other
// payload. The report changes nothing else; the read model shows it.
func DeliveryReport[F Family](payload engine.CommandData) (ev engine.EventData, ok bool) {
	switch p := payload.(type) {
	case delivery.Confirmed:
		return Delivered[F]{MessageID: p.MessageID, InterchangeRef: p.InterchangeRef, Recipient: p.Recipient, Transport: p.Transport, At: p.At.UTC()}, true
	case delivery.Failed:
		return Undelivered[F]{MessageID: p.MessageID, InterchangeRef: p.InterchangeRef, Recipient: p.Recipient, Reason: p.Reason, At: p.At.UTC()}, true
	}
	return nil, false
}

// Unreadable returns the APERAK problem (Z29, at "Vorgang") of a received
// transaction that cannot be read as its AHB requires, with the cause as
// its text cut to 250 characters (which it also returns, for the event).
func Unreadable(cause error) (aperak.Problem, string) {
	text := cause.Error()
	if len(text) > 250 {
		text = text[:250]
	}
	return aperak.Problem{Code: "Z29", Text: text, Location: &aperak.Location{Name: "Vorgang"}}, text
}

// FailUnreadable is the common step of both families for a received
// transaction r that cannot be read as its AHB requires (cause; the AHB
// check comes first, edifact.md §11.3): ack sends the family's APERAK with
// the Z29 problem of Unreadable, then a Failed[F] (OutcomeAperakRejected,
// on maLo) ends the process, so that the sender learns of it and the
// transaction is not processed. Only when no APERAK can be built — r or
// r.M is nil (the references are missing), or ack fails — is an error
// returned (cause, wrapped with ack's error), which the pipeline
// dead-letters.
func FailUnreadable[F Family, S any](x *Decision[S], r *Received, cause error, maLo string, ack func([]aperak.Problem) error) error {
	if r == nil || r.M == nil {
		return cause
	}
	problem, text := Unreadable(cause)
	if err := ack([]aperak.Problem{problem}); err != nil {
		return fmt.Errorf("%w (and no APERAK could be built: %v)", cause, err)
	}
	x.Emit(Failed[F]{Outcome: OutcomeAperakRejected, Reason: "transaction " + r.Tx.TransactionID + " unreadable: " + text, MaLo: maLo})
	return nil
}

// ParseAPERAK parses a received APERAK (ReadAPERAK); a failure wraps
// errMessage (the family's "unreadable" sentinel).
func ParseAPERAK(tx inbound.Transaction, errMessage error) (APERAK, error) {
	_, m, err := tx.Parse()
	if err != nil {
		return APERAK{}, fmt.Errorf("%w: APERAK %s of %s: %w", errMessage, tx.InterchangeRef, tx.Sender, err)
	}
	return ReadAPERAK(m), nil
}

// ParseCONTRL parses a received CONTRL: the reference of the interchange it
// answers and whether it rejects it (UCI 0083 = 4, edifact.md §10); a
// failure wraps errMessage.
func ParseCONTRL(tx inbound.Transaction, errMessage error) (ref string, rejected bool, err error) {
	_, m, err := tx.Parse()
	if err != nil {
		return "", false, fmt.Errorf("%w: CONTRL %s of %s: %w", errMessage, tx.InterchangeRef, tx.Sender, err)
	}
	ref, action := ReadCONTRL(m)
	return ref, action == edifact.ContrlRejected, nil
}

// RequestDate returns the first readable of DTM+92 (start) and DTM+93
// (end) of t, zero if none.
func RequestDate(t *utilmd.Transaction) time.Time {
	if t == nil {
		return time.Time{}
	}
	for _, q := range []string{"92", "93"} {
		if v := Date(t, q); !v.IsZero() {
			return v
		}
	}
	return time.Time{}
}

// Date returns the DTM of qualifier q of t as an instant; zero if t has
// none or it cannot be read.
func Date(t *utilmd.Transaction, q string) time.Time {
	if d, ok := t.Date(q); ok {
		if v, err := d.Time(); err == nil {
			return v
		}
	}
	return time.Time{}
}
