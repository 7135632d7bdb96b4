// Package testflow is a small, real workflow for tests and benchmarks of the
// pipeline: it answers every received UTILMD transaction (PID 55001 by
// default) with an APERAK 312 acknowledgement to its sender.
//
// It exercises every part of a decision — a workflow event, an outbound
// interchange built with pkg/edifact, a business key — and is deterministic:
// references derive from the command id (pkg/refgen), the preparation time
// is the command's preparation time (engine.Command.Prepared).
package testflow

import (
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/refgen"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Name is the workflow name.
const Name = "test.answer"

// Received is the workflow event recorded for each answered transaction.
type Received struct {
	TransactionID  string
	PID            string
	Sender         string
	InterchangeRef string
	AnswerRef      string
}

// EventType implements engine.EventData.
func (Received) EventType() string { return "test.received" }

// AnswerReceived is recorded when a partner's APERAK or CONTRL answering
// the process's own APERAK arrives; the workflow never answers it.
type AnswerReceived struct {
	MessageType    string
	InterchangeRef string
}

// EventType implements engine.EventData.
func (AnswerReceived) EventType() string { return "test.answer_received" }

// State counts the transactions a process answered.
type State struct {
	Answered     int
	Transactions []string
	Answers      []string
}

// Workflow answers every transaction with an APERAK 312.
type Workflow struct{}

// Name implements engine.Workflow.
func (Workflow) Name() string { return Name }

// Codec implements engine.Workflow.
func (Workflow) Codec() *engine.Codec {
	return engine.NewCodec().Event(Received{}, 1).Event(AnswerReceived{}, 1).Command(inbound.Transaction{})
}

// Initial implements engine.Workflow.
func (Workflow) Initial() State { return State{} }

// Apply implements engine.Workflow.
func (Workflow) Apply(s State, ev engine.Event) State {
	switch e := ev.Data.(type) {
	case Received:
		s.Answered++
		s.Transactions = append(s.Transactions, e.TransactionID)
	case AnswerReceived:
		s.Answers = append(s.Answers, e.MessageType)
	}
	return s
}

// Handle implements engine.Workflow.
func (Workflow) Handle(s State, cmd engine.Command) (engine.Decision, error) {
	tx, ok := cmd.Payload.(inbound.Transaction)
	if !ok {
		return engine.Decision{}, fmt.Errorf("testflow: unexpected command %T", cmd.Payload)
	}
	if tx.MessageType == "APERAK" || tx.MessageType == "CONTRL" {
		// Never an APERAK on an APERAK or CONTRL (edifact.md §10.1, §11).
		return engine.Decision{Events: []engine.EventData{AnswerReceived{MessageType: tx.MessageType, InterchangeRef: tx.InterchangeRef}}}, nil
	}
	ref := refgen.Ref("T", string(cmd.ID))
	payload, err := Ack(tx, ref, cmd.Prepared()) // dated with its creation time
	if err != nil {
		return engine.Decision{}, err
	}
	return engine.Decision{
		Events: []engine.EventData{Received{TransactionID: tx.TransactionID, PID: tx.PID, Sender: tx.Sender, InterchangeRef: tx.InterchangeRef, AnswerRef: ref}},
		Outbound: []engine.Outbound{{
			Recipient: tx.Sender, Sender: tx.Receiver, MessageType: "APERAK", InterchangeRef: ref, Payload: payload,
		}},
		// The APERAK's document number and interchange reference are both
		// ref: a CONTRL or APERAK answering it finds this process.
		Correlate: []engine.BusinessKey{
			{Kind: inbound.KeyConversation, Value: tx.Sender + ":" + tx.TransactionID},
			inbound.DocumentKey(tx.Receiver, ref), inbound.InterchangeKey(tx.Receiver, ref),
		},
	}, nil
}

// Ack builds the APERAK 312 for tx with interchange reference ref, prepared at t.
func Ack(tx inbound.Transaction, ref string, t time.Time) ([]byte, error) {
	ix, m, err := tx.Parse()
	if err != nil {
		return nil, err
	}
	v, err := fv.Parse(tx.FormatVersion)
	if err != nil {
		return nil, fmt.Errorf("testflow: transaction %s: %w", tx.TransactionID, err)
	}
	if rv, err := fv.Resolve(t); err == nil {
		v = rv // the format version in force when the answer is made
	}
	var unit *edifact.Transaction
	for _, u := range edifact.Transactions(m) {
		if u.ID == tx.TransactionID {
			unit = &u
			break
		}
	}
	r, err := aperak.ReferenceFrom(ix, m, unit)
	if err != nil {
		return nil, fmt.Errorf("testflow: %w", err)
	}
	return aperak.Build(aperak.Params{FormatVersion: v, Ref: ref, Time: t}, aperak.Message{Ref: "1", DocumentNumber: ref, Reference: r})
}

// Module returns the module that routes pids (default 55001) to the
// workflow, defined for format version v (forward compatible).
func Module(v fv.Version, pids ...string) module.Module {
	if len(pids) == 0 {
		pids = []string{"55001"}
	}
	m := module.Module{Name: "testflow", Definitions: []engine.AnyDefinition{engine.Define[State](Workflow{}, v)}}
	for _, p := range pids {
		m.Routes = append(m.Routes, routing.Route{PID: p, Workflow: Name, Initiating: true})
	}
	return m
}
