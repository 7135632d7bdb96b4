package inbound

import (
	"fmt"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
)

// Business key kinds used by the MaKo workflows.
const (
	KeyMaLo         engine.KeyKind = "malo"         // Marktlokations-ID
	KeyMeLo         engine.KeyKind = "melo"         // Messlokations-ID
	KeyConversation engine.KeyKind = "conversation" // Vorgangsnummer / conversation
	KeyDocument     engine.KeyKind = "document"     // Belegnummer / document number
	KeyDevice       engine.KeyKind = "device"       // Gerätenummer
)

// InboxRetention is how long an inbox must remember an accepted message
// key: the 72 h AS4 retry window plus 24 h (seed.md, inbox). The engine's
// inbox backends default to it (natsstore.DefaultInboxRetention,
// memstore.DefaultInboxRetention; TestInboxRetentionDefaults).
const InboxRetention = 96 * time.Hour

// ConversationKey is the 1:1 registry key of a conversation
// (engine.ConversationID) with a sender (MP-ID).
func ConversationKey(conv engine.ConversationID, sender string) string {
	return "conv:" + string(conv) + ":" + sender
}

// Business keys of the inbound contract: under them ingest finds the process
// a follow-up message, an APERAK or a CONTRL belongs to, and workflows bind
// them for what they send.

// TransactionKey is the business key under which a process is found by a
// follow-up message: the MP-ID that sent the original transaction and its
// transaction id (IDE 7402). Workflows bind it when they send a transaction.
func TransactionKey(originalSender, transactionID string) engine.BusinessKey {
	return engine.BusinessKey{Kind: KeyConversation, Value: originalSender + ":" + transactionID}
}

// DocumentKey is the business key under which the process that sent a
// message is found by an APERAK answering it: the sender's MP-ID and the
// message's document number (BGM 1004), which the APERAK quotes in RFF+AGO.
// Workflows bind it for every message they send.
func DocumentKey(sender, documentNumber string) engine.BusinessKey {
	return engine.BusinessKey{Kind: KeyDocument, Value: sender + ":" + documentNumber}
}

// KeyInterchange is the business-key kind of interchange references.
const KeyInterchange engine.KeyKind = "interchange"

// InterchangeKey is the business key under which the process that sent an
// interchange is found by a CONTRL answering it: the sender's MP-ID and the
// interchange reference (UNB 0020), which the CONTRL quotes in UCI 0020.
// Workflows bind it for every interchange they send.
func InterchangeKey(sender, interchangeRef string) engine.BusinessKey {
	return engine.BusinessKey{Kind: KeyInterchange, Value: sender + ":" + interchangeRef}
}

// InboxKey builds the engine inbox key of an inbound interchange,
// "<sender>:<interchange ref>", and validates it (engine.ValidateInboxKey):
// a re-sent interchange (same sender and reference) is accepted once.
func InboxKey(sender, messageRef string) (string, error) {
	k := sender + ":" + messageRef
	if sender == "" || messageRef == "" || strings.IndexByte(sender, ':') >= 0 {
		return "", fmt.Errorf("%w: inbox key %q: want <sender>:<message ref>, both non-empty", engine.ErrInvalidKey, k)
	}
	return k, engine.ValidateInboxKey(k)
}
