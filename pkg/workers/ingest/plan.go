package ingest

import (
	"fmt"
	"strings"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Action is what ingest does with one transaction of a message.
type Action int

const (
	// Spawn: an initiating PID; the process is spawned, or resumed, under
	// the transaction's conversation key.
	Spawn Action = iota + 1
	// FollowUp: a follow-up PID; the process is the one that sent the
	// transaction the follow-up references (RFF+TN). If none is found the
	// transaction is refused with Step.Orphan.
	FollowUp
	// Answer: an APERAK or CONTRL; the process is found by the references
	// it carries (Step.Keys, in order). If none is found the message is
	// dead-lettered as an unknown conversation (nobody to answer).
	Answer
	// Refuse: no workflow takes the transaction: APERAK 313 with
	// Step.Refusal's code and a dead letter.
	Refuse
)

// String names the action (tests, logs).
func (a Action) String() string {
	switch a {
	case Spawn:
		return "spawn"
	case FollowUp:
		return "follow-up"
	case Answer:
		return "answer"
	case Refuse:
		return "refuse"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Refusal says why a transaction is refused and how it is answered.
type Refusal struct {
	// Code and Text are the ERC code and reason of the APERAK 313.
	Code, Text string
	// Reason is the dead letter's reason; Result the inbound metric label.
	Reason deadletter.Reason
	Result string
	// Detail explains the refusal in the dead letter.
	Detail string
	// Findings are the AHB findings of an AHB refusal (Reason
	// deadletter.ReasonAHB), at most maxProblems: one ERC group each in the
	// APERAK 313. Empty for the other refusals (one ERC group: Code).
	Findings []ahb.Finding
}

// Step is the plan for one transaction: what ingest does with it and with
// what. It is computed from the message, the routes and the registered
// workflows alone, without I/O (plan); the executor (Ingestor.message)
// performs the lookups, spawns and publishes it names.
type Step struct {
	Action Action
	Tx     edifact.Transaction
	// Definition is the workflow version that serves the transaction's
	// format version (Spawn, FollowUp).
	Definition engine.AnyDefinition
	// Conversation is the conversation of a Spawn: the transaction id and
	// where it arrived, "<transaction id>@<interchange ref>/<message ref>"
	// ("<interchange ref>/<message ref>" without an id), so that every
	// received request gets a process of its own; ConversationKey the 1:1
	// key it registers the process under.
	Conversation, ConversationKey string
	// Reference is the transaction id a FollowUp references ("" = none).
	Reference string
	// Keys are the business keys the process is looked up by (FollowUp:
	// the referenced transaction, none without RFF+TN; Answer: the
	// references of the answer, the first found wins).
	Keys []engine.BusinessKey
	// Tried describes the references of an Answer for its dead letter.
	Tried string
	// Refusal is set for Refuse; Orphan is the refusal of a FollowUp whose
	// referenced transaction no process knows.
	Refusal, Orphan *Refusal
}

// planInput is what plan needs to know about one message.
type planInput struct {
	// Own is our MP-ID, the message's recipient (UNB).
	Own string
	// Sender is the partner's MP-ID (UNB).
	Sender string
	// InterchangeRef is the UNB reference.
	InterchangeRef string
	Message        *edifact.Message
	Sector         catalog.Sector
	Version        fv.Version
	Roles          []routing.Role
	// AHB is the message's AHB validation (validateAHB); nil Report: not
	// validated.
	AHB ahbResult
}

// plan decides, per transaction of one message, what ingest does: refuse it
// (no route for the PID: Z31; no workflow version for the format version:
// Z31; a violation of its AHB: the finding's APERAK code, see ahbRefusal),
// spawn a process (initiating PID), find the process a follow-up
// belongs to, or find the process an APERAK/CONTRL answers. resolve is the
// PID router, lookup finds the registered workflow version serving a format
// version (engine.Engine.Lookup). Both must be pure lookups.
func plan(in planInput, resolve func(pid string, s catalog.Sector, roles []routing.Role) (routing.Route, error),
	lookup func(name string, v fv.Version) (engine.AnyDefinition, error)) []Step {
	m := in.Message
	txs := edifact.Transactions(m)
	if len(txs) == 0 {
		// APERAK, CONTRL and other PID-less messages: one unit, correlated
		// by the references they carry.
		txs = []edifact.Transaction{{Start: 0, End: len(m.Segments)}}
	}
	steps := make([]Step, 0, len(txs))
	for _, tx := range txs {
		if tx.PID == "" {
			keys, tried := answerKeys(in.Own, m)
			steps = append(steps, Step{Action: Answer, Tx: tx, Keys: keys, Tried: tried})
			continue
		}
		route, err := resolve(tx.PID, in.Sector, in.Roles)
		if err != nil {
			steps = append(steps, Step{Action: Refuse, Tx: tx, Refusal: &Refusal{Code: "Z31", Text: "Prüfidentifikator wird vom Empfänger nicht verarbeitet",
				Reason: deadletter.ReasonUnknownPID, Result: "unknown_pid", Detail: err.Error()}})
			continue
		}
		def, err := lookup(route.Workflow, in.Version)
		if err != nil {
			// No workflow version serves this format version: the
			// transaction is not processed, so its sender is told.
			steps = append(steps, Step{Action: Refuse, Tx: tx, Refusal: &Refusal{Code: "Z31", Text: "Formatversion wird vom Empfänger für diesen Prüfidentifikator nicht verarbeitet",
				Reason: deadletter.ReasonVersionMismatch, Result: "version_mismatch", Detail: err.Error()}})
			continue
		}
		// The AHB is checked before any workflow sees the transaction:
		// neither a spawn nor a follow-up lookup happens for a violation.
		if r := ahbRefusal(in.AHB.Report, tx, txs); r != nil {
			steps = append(steps, Step{Action: Refuse, Tx: tx, Refusal: r})
			continue
		}
		if route.Initiating {
			// One process per received request: the key names the
			// transaction where it arrived (interchange and message), so a
			// redelivery or a resend of this interchange resumes its
			// process, while a new interchange reusing the transaction id —
			// a request re-sent after a rejection, a new one under an old
			// id — starts a process of its own instead of reaching one that
			// has ended.
			conv := tx.ID + "@" + in.InterchangeRef + "/" + m.Ref()
			if tx.ID == "" {
				conv = in.InterchangeRef + "/" + m.Ref()
			}
			steps = append(steps, Step{Action: Spawn, Tx: tx, Definition: def, Conversation: conv,
				ConversationKey: inbound.ConversationKey(engine.ConversationID(conv), in.Sender)})
			continue
		}
		ref := referencedTransaction(m, tx)
		st := Step{Action: FollowUp, Tx: tx, Definition: def, Reference: ref, Orphan: &Refusal{Code: "Z33", Text: "Referenzierter Geschäftsvorfall existiert nicht",
			Reason: deadletter.ReasonUnknownConversation, Result: "orphan",
			Detail: fmt.Sprintf("follow-up PID %s references transaction %q, which no process knows", tx.PID, ref)}}
		switch acw := cancelledTransaction(m, tx); {
		case ref != "":
			st.Keys = []engine.BusinessKey{inbound.TransactionKey(in.Own, ref)}
		case acw != "":
			// A cancellation (UTILMD 55022: RFF+ACW, no RFF+TN) belongs to
			// the process that received the cancelled transaction from the
			// same sender, which bound TransactionKey(sender, tx).
			st.Reference = acw
			st.Keys = []engine.BusinessKey{inbound.TransactionKey(in.Sender, acw)}
			st.Orphan.Detail = fmt.Sprintf("follow-up PID %s cancels transaction %q of %s, which no process received", tx.PID, acw, in.Sender)
		}
		steps = append(steps, st)
	}
	return steps
}

// answerKeys returns the business keys under which the process an APERAK
// or CONTRL answers is found, in order of preference, and a description of
// them for a dead letter. own is our MP-ID (the answer's recipient).
func answerKeys(own string, m *edifact.Message) ([]engine.BusinessKey, string) {
	var keys []engine.BusinessKey
	var tried []string
	switch m.Type() {
	case catalog.APERAK:
		if s, _ := m.Find(0, "RFF", "AGO"); s != nil && s.Value(0, 1) != "" {
			keys = append(keys, inbound.DocumentKey(own, s.Value(0, 1)))
			tried = append(tried, "document "+s.Value(0, 1))
		}
		if s, _ := m.Find(0, "RFF", "TN"); s != nil && s.Value(0, 1) != "" {
			keys = append(keys, inbound.TransactionKey(own, s.Value(0, 1)))
			tried = append(tried, "transaction "+s.Value(0, 1))
		}
	case catalog.CONTRL:
		if s, _ := m.Find(0, "UCI", ""); s != nil && s.Value(0, 0) != "" {
			keys = append(keys, inbound.InterchangeKey(own, s.Value(0, 0)))
			tried = append(tried, "interchange "+s.Value(0, 0))
		}
	}
	if len(tried) == 0 {
		return nil, "no reference (RFF+AGO, RFF+TN or UCI)"
	}
	return keys, strings.Join(tried, ", ")
}
