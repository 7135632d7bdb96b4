package engine_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
)

// ledger is the test workflow: a running total with notes, deadlines,
// outbound messages and business keys.

type ledgerState struct {
	Total   int64
	Notes   []string
	Closed  bool
	Expired []string
	Last    time.Time
}

// Added is at schema version 2; version 1 called the amount "Value".
type Added struct {
	Amount int64
	Note   string
	At     time.Time
}

func (Added) EventType() string { return "Added" }

type Closed struct{ Reason string }

func (Closed) EventType() string { return "Closed" }

type Expired struct{ Label string }

func (Expired) EventType() string { return "Expired" }

type Add struct {
	Amount int64
	Note   string
}

func (Add) CommandType() string { return "Add" }

type Close struct {
	Reason    string
	Recipient string
	MaLo      string
}

func (Close) CommandType() string { return "Close" }

type Arm struct {
	Label string
	In    time.Duration
}

func (Arm) CommandType() string { return "Arm" }

type Disarm struct{ Label string }

func (Disarm) CommandType() string { return "Disarm" }

type Expire struct{ Label string }

func (Expire) CommandType() string { return "Expire" }

type Noop struct{}

func (Noop) CommandType() string { return "Noop" }

var errClosed = errors.New("ledger closed")

type ledger struct {
	name   string
	policy engine.WorkflowVersionPolicy
}

func (l ledger) Name() string {
	if l.name == "" {
		return "test.ledger"
	}
	return l.name
}

func (ledger) Codec() *engine.Codec {
	return engine.NewCodec().Event(Added{}, 2).Event(Closed{}, 1).Event(Expired{}, 1).
		Command(Add{}).Command(Close{}).Command(Arm{}).Command(Disarm{}).Command(Expire{}).Command(Noop{})
}

func (ledger) Initial() ledgerState { return ledgerState{} }

func (ledger) Apply(s ledgerState, ev engine.Event) ledgerState {
	switch e := ev.Data.(type) {
	case Added:
		if e.Note == "apply-panic" {
			panic("apply: boom")
		}
		s.Total += e.Amount
		s.Notes = append(s.Notes, e.Note)
		s.Last = e.At
	case Closed:
		s.Closed = true
	case Expired:
		s.Expired = append(s.Expired, e.Label)
	default:
		panic(fmt.Sprintf("Apply got %T", ev.Data))
	}
	return s
}

func (ledger) Handle(s ledgerState, cmd engine.Command) (engine.Decision, error) {
	if s.Closed {
		return engine.Decision{}, errClosed
	}
	switch c := cmd.Payload.(type) {
	case Add:
		if c.Note == "handle-panic" {
			var m map[string]int
			m["x"] = 1 // a workflow bug: nil map write
		}
		if c.Amount < 0 {
			return engine.Decision{}, fmt.Errorf("negative amount %d", c.Amount)
		}
		return engine.Decision{Events: []engine.EventData{Added{Amount: c.Amount, Note: c.Note, At: cmd.ReceivedAt}}}, nil
	case Close:
		return engine.Decision{
			Events:          []engine.EventData{Closed{Reason: c.Reason}},
			Outbound:        []engine.Outbound{{Recipient: c.Recipient, MessageType: "APERAK", InterchangeRef: "REF1", Payload: []byte("UNA:+.? '"), Headers: map[string]string{"k": "v"}}},
			CancelDeadlines: []string{"answer"},
			Correlate:       []engine.BusinessKey{{Kind: inbound.KeyMaLo, Value: c.MaLo}},
		}, nil
	case Arm:
		return engine.Decision{SetDeadlines: []engine.DeadlineRequest{{Label: c.Label, Due: cmd.ReceivedAt.Add(c.In)}}}, nil
	case Disarm:
		return engine.Decision{CancelDeadlines: []string{c.Label}}, nil
	case Expire:
		return engine.Decision{Events: []engine.EventData{Expired{Label: c.Label}}}, nil
	case Noop:
		return engine.Decision{}, nil
	}
	return engine.Decision{}, fmt.Errorf("unknown command %T", cmd.Payload)
}

func (ledger) OnDeadline(s ledgerState, f engine.DeadlineFired) (engine.CommandData, error) {
	if f.Label == "silent" {
		return nil, nil
	}
	return Expire{Label: f.Label}, nil
}

func (l ledger) VersionPolicy() engine.WorkflowVersionPolicy { return l.policy }

// Upcast renames v1's "Value" to "Amount".
func (l ledger) Upcast(eventType string, from int, data map[string]any) (map[string]any, error) {
	if eventType != "Added" || from != 1 {
		return nil, fmt.Errorf("no upcast for %s v%d", eventType, from)
	}
	v, ok := data["Value"]
	if !ok {
		return nil, errors.New("v1 Added without Value")
	}
	delete(data, "Value")
	data["Amount"] = v
	return data, nil
}

// ledgerPlain is ledger without the Upcaster (and with the default policy).
type ledgerPlain struct{}

func (ledgerPlain) Name() string                                     { return "test.ledger" }
func (ledgerPlain) Codec() *engine.Codec                             { return ledger{}.Codec() }
func (ledgerPlain) Initial() ledgerState                             { return ledgerState{} }
func (ledgerPlain) Apply(s ledgerState, ev engine.Event) ledgerState { return ledger{}.Apply(s, ev) }
func (ledgerPlain) Handle(s ledgerState, c engine.Command) (engine.Decision, error) {
	return ledger{}.Handle(s, c)
}

var (
	fv2510 = fv.MustParse("FV2510")
	fv2604 = fv.MustParse("FV2604")
	fv2610 = fv.MustParse("FV2610")
	t0     = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
)

const tenant engine.TenantID = "tenant-a"

func cmdAt(id string, at time.Time, p engine.CommandData) engine.Command {
	return engine.CommandContext{Correlation: "corr-" + engine.CorrelationID(id), Conversation: "conv-1"}.Command(engine.CommandID(id), at, p)
}

type fvVersion = fv.Version

var parseFV = fv.Parse
