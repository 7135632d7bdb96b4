// Package inbound defines the command that carries one received EDIFACT
// transaction from ingest to the process that handles it.
//
// Ingest turns every transaction of an accepted interchange into one
// Transaction command. The command id is derived from the sender, the
// interchange and message references and the transaction id, so the same
// transaction — a redelivered ingest message or a re-sent interchange —
// always yields the same command, which the engine commits at most once per
// process. Workflows register Transaction in their codec and read the
// content with pkg/edifact (Transaction.Parse) and its views.
package inbound

import (
	"fmt"
	"strings"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/engine"
)

// CommandType is the command type name of Transaction.
const CommandType = "edi.transaction"

// Transaction is one received EDIFACT transaction (a UTILMD Vorgang, an
// IFTSTA CNI group, or a whole message for per-message types).
type Transaction struct {
	// MessageType is UNH 0065, e.g. "UTILMD".
	MessageType string
	// Release is UNH 0057, e.g. "S2.2".
	Release string
	// PID is the Prüfidentifikator; "" for APERAK and CONTRL.
	PID string
	// FormatVersion is the resolved format version (short style).
	FormatVersion string
	// Sector is "Strom", "Gas" or "".
	Sector string
	// Sender and Receiver are the UNB MP-IDs.
	Sender, Receiver string
	// InterchangeRef is UNB 0020, MessageRef UNH 0062.
	InterchangeRef, MessageRef string
	// TransactionID is IDE 7402 / CNI / DOC; "" for per-message types.
	TransactionID string
	// Test is true for a test interchange (UNB 0035 = 1).
	Test bool
	// TransportID is the transport's id (e.g. the AS4 MessageId), if given.
	TransportID string
	// Interchange is a canonical one-message interchange: the original UNB,
	// the message, and a UNZ counting 1.
	Interchange []byte
	// MessageIndex is the message's position in the original interchange.
	MessageIndex int
}

// CommandType implements engine.CommandData.
func (Transaction) CommandType() string { return CommandType }

// Parse parses the carried one-message interchange and returns it with its
// message.
func (t Transaction) Parse() (*edifact.Interchange, *edifact.Message, error) {
	ix, err := edifact.Parse(t.Interchange)
	if err != nil {
		return nil, nil, fmt.Errorf("inbound: transaction %s of %s/%s: %w", t.TransactionID, t.Sender, t.InterchangeRef, err)
	}
	if len(ix.Messages) != 1 {
		return nil, nil, fmt.Errorf("inbound: transaction %s of %s/%s: %d messages in carried interchange, want 1", t.TransactionID, t.Sender, t.InterchangeRef, len(ix.Messages))
	}
	return ix, &ix.Messages[0], nil
}

// CommandID returns the deterministic command id of a received transaction.
func CommandID(tenant engine.TenantID, sender, interchangeRef, messageRef, transactionID string) engine.CommandID {
	name := strings.Join([]string{"inbound", string(tenant), sender, interchangeRef, messageRef, transactionID}, "\x1f")
	return engine.CommandID(engine.NewUUIDv5(namespace(), name).String())
}

// namespace is the UUIDv5 namespace of inbound command ids, itself derived
// from the nil UUID so that it is a constant of this package's contract.
func namespace() engine.UUID { return engine.NewUUIDv5(engine.UUID{}, "mako-engine/inbound") }

// SingleMessage returns a canonical interchange holding only message m of
// ix: UNA, the original UNB, m's segments and "UNZ+1+<ref>".
func SingleMessage(ix *edifact.Interchange, m *edifact.Message) []byte {
	var b strings.Builder
	b.WriteString("UNA:+.? '")
	if h := ix.Header(); h != nil {
		b.WriteString(h.Canonical())
		b.WriteByte('\'')
	}
	for i := range m.Segments {
		b.WriteString(m.Segments[i].Canonical())
		b.WriteByte('\'')
	}
	b.WriteString("UNZ+1+")
	b.WriteString(escape(ix.UNB().ControlRef))
	b.WriteByte('\'')
	return []byte(b.String())
}

func escape(s string) string {
	r := strings.NewReplacer("?", "??", "+", "?+", ":", "?:", "'", "?'")
	return r.Replace(s)
}

// CorrelationFromInterchange returns the deterministic correlation id of an
// inbound EDIFACT interchange: a version 5 UUID of the sender's MP-ID and the
// UNB interchange reference (DE0020) (engine.Derive). Interchange references
// are unique only per sender, so the sender is part of the name. The same
// interchange received twice yields the same correlation id.
func CorrelationFromInterchange(sender, interchangeRef string) engine.CorrelationID {
	return engine.CorrelationID(engine.Derive("correlation", sender, interchangeRef).String())
}
