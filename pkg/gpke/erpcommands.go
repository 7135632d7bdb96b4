package gpke

import (
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
// workflow; Decide goes to the process waiting under DecisionKey;
// RequestCancellation goes to the process that sent the cancelled
// transaction (utilmdkit.RouteCancellation; a transaction no process of
// the tenant sent is refused), which sends the 55022 and is ended by its
// confirmation.
func ERPCommands() []erp.CommandType {
	return []erp.CommandType{
		{Type: ERPRegisterSupplyStart, Workflow: WorkflowLFNLieferbeginn, Decode: utilmdkit.Decoder(func(c RegisterSupplyStart) error {
			if c.Start.IsZero() {
				return fmt.Errorf("%w: start missing", ErrInvalidCommand)
			}
			if err := validIDs(c.MaLo, c.NB, c.LFN); err != nil {
				return err
			}
			// The AHB's data (customer, address, product package) is
			// checked here, so the ERP gets the refusal, not a dead letter.
			_, err := c.anmeldung()
			return err
		})},
		{Type: ERPRequestTermination, Workflow: WorkflowLFNKuendigung, Decode: utilmdkit.Decoder(func(c RequestTermination) error {
			if c.Date.IsZero() {
				return fmt.Errorf("%w: date missing", ErrInvalidCommand)
			}
			return validIDs(c.MaLo, c.LFA, c.LFN)
		})},
		{Type: ERPRegisterSupplyEnd, Workflow: WorkflowLFLieferende, Decode: utilmdkit.Decoder(func(c RegisterSupplyEnd) error {
			if c.End.IsZero() || c.Reason == "" {
				return fmt.Errorf("%w: end and reason required", ErrInvalidCommand)
			}
			return validIDs(c.MaLo, c.NB, c.LF)
		})},
		{Type: ERPRequestCancellation, Decode: utilmdkit.Decoder(validCancellation), Route: utilmdkit.RouteCancellation[family](ErrInvalidCommand)},
		{Type: ERPDecide, Decode: utilmdkit.Decoder(func(c Decide) error {
			if c.Partner == "" || c.TransactionID == "" {
				return fmt.Errorf("%w: partner and transaction_id required", ErrInvalidCommand)
			}
			return nil
		}), Route: utilmdkit.RouteDecide[family](ErrInvalidCommand, DecisionKey)},
	}
}
