package gpke

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

// ERP command types (erp.Request.Type) of the module.
const (
	ERPRegisterSupplyStart = "gpke.lfn.register_supply_start"
	ERPRequestTermination  = "gpke.lfn.request_termination"
	ERPRegisterSupplyEnd   = "gpke.lf.register_supply_end"
	ERPRequestCancellation = "gpke.request_cancellation"
	ERPDecide              = "gpke.decide"
)

// KeyDecision is the business-key kind under which an answering process
// waits for the ERP's Decide.
const KeyDecision engine.KeyKind = "gpke-decision"

// DecisionKey is the business key of a pending decision on the request
// transaction tx of partner (bound with DecisionRequested).
func DecisionKey(partner, tx string) engine.BusinessKey {
	return engine.BusinessKey{Kind: KeyDecision, Value: partner + ":" + tx}
}

// ERPCommands returns the ERP commands of the module (module.Module
// .ERPCommands): the starts spawn one process per idempotency key of their
// workflow; Decide goes to the process waiting under DecisionKey.
func ERPCommands() []erp.CommandType {
	return []erp.CommandType{
		{Type: ERPRegisterSupplyStart, Workflow: WorkflowLFNLieferbeginn, Decode: func(d json.RawMessage) (engine.CommandData, error) {
			p, err := utilmdkit.DecodeStrict[RegisterSupplyStart](d)
			if err != nil {
				return nil, err
			}
			c := p.(RegisterSupplyStart)
			if c.Start.IsZero() {
				return nil, fmt.Errorf("%w: start missing", ErrInvalidCommand)
			}
			if err := validIDs(c.MaLo, c.NB, c.LFN); err != nil {
				return nil, err
			}
			// The AHB's data (customer, address, product package) is
			// checked here, so the ERP gets the refusal, not a dead letter.
			if _, err := c.anmeldung(); err != nil {
				return nil, err
			}
			return c, nil
		}},
		{Type: ERPRequestTermination, Workflow: WorkflowLFNKuendigung, Decode: func(d json.RawMessage) (engine.CommandData, error) {
			p, err := utilmdkit.DecodeStrict[RequestTermination](d)
			if err != nil {
				return nil, err
			}
			c := p.(RequestTermination)
			if c.Date.IsZero() {
				return nil, fmt.Errorf("%w: date missing", ErrInvalidCommand)
			}
			return c, validIDs(c.MaLo, c.LFA, c.LFN)
		}},
		{Type: ERPRegisterSupplyEnd, Workflow: WorkflowLFLieferende, Decode: func(d json.RawMessage) (engine.CommandData, error) {
			p, err := utilmdkit.DecodeStrict[RegisterSupplyEnd](d)
			if err != nil {
				return nil, err
			}
			c := p.(RegisterSupplyEnd)
			if c.End.IsZero() || c.Reason == "" {
				return nil, fmt.Errorf("%w: end and reason required", ErrInvalidCommand)
			}
			return c, validIDs(c.MaLo, c.NB, c.LF)
		}},
		{Type: ERPRequestCancellation, Workflow: WorkflowStornoRequest, Decode: func(d json.RawMessage) (engine.CommandData, error) {
			p, err := utilmdkit.DecodeStrict[RequestCancellation](d)
			if err != nil {
				return nil, err
			}
			c := p.(RequestCancellation)
			if c.TransactionID == "" {
				return nil, fmt.Errorf("%w: transaction_id missing", ErrInvalidCommand)
			}
			return c, validIDs(c.MaLo, c.Sender, c.Recipient)
		}},
		{Type: ERPDecide, Decode: func(d json.RawMessage) (engine.CommandData, error) {
			p, err := utilmdkit.DecodeStrict[Decide](d)
			if err != nil {
				return nil, err
			}
			if c := p.(Decide); c.Partner == "" || c.TransactionID == "" {
				return nil, fmt.Errorf("%w: partner and transaction_id required", ErrInvalidCommand)
			}
			return p, nil
		}, Route: func(_ context.Context, _ erp.Request, payload engine.CommandData) (erp.Target, error) {
			c, ok := payload.(Decide)
			if !ok {
				return erp.Target{}, fmt.Errorf("%w: %T is not a Decide", ErrInvalidCommand, payload)
			}
			k := DecisionKey(c.Partner, c.TransactionID)
			return erp.Target{Existing: &k}, nil
		}},
	}
}
