package geligas

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

// ERP command types (erp.Request.Type) of the module; the JSON of each is
// its command type's fields (docs/geligas.md "ERP commands").
const (
	ERPRegisterSupplyStart = "geligas.lfn.register_supply_start" // RegisterSupplyStart → 44001
	ERPRequestTermination  = "geligas.lfn.request_termination"   // RequestTermination → 44016
	ERPRegisterSupplyEnd   = "geligas.lf.register_supply_end"    // RegisterSupplyEnd → 44004
	ERPDeregisterSupply    = "geligas.nb.deregister_supply"      // DeregisterSupply → 44007
	ERPRegisterEoG         = "geligas.nb.register_eog"           // RegisterEoG → 44013
	ERPRequestCancellation = "geligas.request_cancellation"      // RequestCancellation → 44022
	ERPDecide              = "geligas.decide"                    // Decide (policy step of an answering process)
)

// KeyDecision is the business-key kind under which an answering process
// waits for the ERP's Decide.
const KeyDecision engine.KeyKind = "geligas-decision"

// DecisionKey is the business key of a pending decision on the request
// transaction tx of partner (bound with DecisionRequested).
func DecisionKey(partner, tx string) engine.BusinessKey {
	return engine.BusinessKey{Kind: KeyDecision, Value: partner + ":" + tx}
}

// gasDate checks that t is set and a Gastag boundary (06:00 German local
// time: DTM+92/93 [UB2]).
func gasDate(name string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("%w: %s missing", ErrInvalidCommand, name)
	}
	if !fristen.IsGastagLimit(t) {
		return fmt.Errorf("%w: %s %s is not 06:00 German local time (a Gastag boundary)", ErrInvalidCommand, name, t.UTC().Format(time.RFC3339))
	}
	return nil
}

func validIDs(malo string, mpids ...string) error {
	return utilmdkit.ValidIDs(ErrInvalidCommand, malo, mpids...)
}

func oneOf(name, v string, codes ...string) error {
	if !slices.Contains(codes, v) {
		return fmt.Errorf("%w: %s %q: want one of %v", ErrInvalidCommand, name, v, codes)
	}
	return nil
}

// validate checks the command against the AHB of 44001; Handle and the ERP
// decoder both call it, so the ERP gets the refusal, not a dead letter.
func (c RegisterSupplyStart) validate() error {
	if err := gasDate("start", c.Start); err != nil {
		return err
	}
	if err := validIDs(c.MaLo, c.NB, c.LFN); err != nil {
		return err
	}
	if c.MaLo == "" {
		return fmt.Errorf("%w: malo missing", ErrInvalidCommand)
	}
	for _, err := range []error{
		oneOf("reason", c.reason(), transactionReasons(fv.Version{}, PIDAnmeldung)...),
		oneOf("net_contract", c.netContract(), "Z08", "Z09"),
		oneOf("net_payer", c.netPayer(), "Z10", "Z11"),
	} {
		if err != nil {
			return err
		}
	}
	switch {
	case c.netPayer() == "Z10" && c.netContract() != "Z08":
		return fmt.Errorf("%w: net_payer Z10 needs net_contract Z08 (AHB 44001 [216])", ErrInvalidCommand)
	case c.Customer == "" || c.Address == nil || c.Address.Street == "" || c.Address.City == "" || c.Address.PostCode == "":
		return fmt.Errorf("%w: 44001 needs customer and address (street, city, post_code)", ErrInvalidCommand)
	case c.Household == nil:
		return fmt.Errorf("%w: 44001 needs household (Gruppenzuordnung nach EnWG)", ErrInvalidCommand)
	case c.BalanceGroup == "":
		return fmt.Errorf("%w: 44001 needs balance_group (CCI+Z19 Bilanzkreis)", ErrInvalidCommand)
	case c.BillingMonths < 1 || c.BillingMonths > 99:
		return fmt.Errorf("%w: 44001 needs billing_months 1..99 (DTM+Z20)", ErrInvalidCommand)
	case c.AnnualKWh != nil && *c.AnnualKWh < 0:
		return fmt.Errorf("%w: annual_kwh must be ≥ 0", ErrInvalidCommand)
	case c.MunicipalDiscount < 0 || c.MunicipalDiscount > 10:
		return fmt.Errorf("%w: municipal_discount must be 0..10 percent (AHB [938])", ErrInvalidCommand)
	}
	if c.LoadProfile != nil {
		if err := c.LoadProfile.Validate(false); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidCommand, err)
		}
	}
	return nil
}

// annualKWh is the QTY+31 of the 44001: AnnualKWh, else the load profile's
// Jahresmenge when it names one.
func (c RegisterSupplyStart) annualKWh() *int64 {
	if c.AnnualKWh == nil && c.LoadProfile != nil && c.LoadProfile.AnnualKWh > 0 {
		return &c.LoadProfile.AnnualKWh
	}
	return c.AnnualKWh
}

func (c RegisterSupplyStart) reason() string {
	return cmp.Or(c.Reason, transactionReasons(fv.Version{}, PIDAnmeldung)[0])
}

func (c RegisterSupplyStart) netContract() string {
	if c.NetContract == "" {
		return "Z09"
	}
	return c.NetContract
}

func (c RegisterSupplyStart) netPayer() string {
	if c.NetPayer == "" {
		return "Z11"
	}
	return c.NetPayer
}

func (c RequestTermination) validate() error {
	if err := gasDate("date", c.Date); err != nil {
		return err
	}
	if c.MaLo == "" {
		return fmt.Errorf("%w: malo missing", ErrInvalidCommand)
	}
	return validIDs(c.MaLo, c.LFA, c.LFN)
}

func (c RegisterSupplyEnd) validate() error {
	if err := gasDate("end", c.End); err != nil {
		return err
	}
	if err := oneOf("reason", c.Reason, transactionReasons(fv.Version{}, PIDAbmeldung)...); err != nil {
		return err
	}
	if c.MaLo == "" {
		return fmt.Errorf("%w: malo missing", ErrInvalidCommand)
	}
	return validIDs(c.MaLo, c.NB, c.LF)
}

func (c DeregisterSupply) validate() error {
	if err := gasDate("end", c.End); err != nil {
		return err
	}
	if c.MaLo == "" {
		return fmt.Errorf("%w: malo missing", ErrInvalidCommand)
	}
	return validIDs(c.MaLo, c.NB, c.LF)
}

func (c RegisterEoG) reason() string {
	return cmp.Or(c.Reason, transactionReasons(fv.Version{}, PIDEoG)[0])
}

func (c RegisterEoG) validate() error {
	if err := gasDate("start", c.Start); err != nil {
		return err
	}
	if err := oneOf("reason", c.reason(), transactionReasons(fv.Version{}, PIDEoG)...); err != nil {
		return err
	}
	if c.MaLo == "" {
		return fmt.Errorf("%w: malo missing", ErrInvalidCommand)
	}
	if c.Location != nil {
		if err := c.Location.Validate(); err != nil {
			return fmt.Errorf("%w: location: %v", ErrInvalidCommand, err)
		}
	}
	return validIDs(c.MaLo, c.NB, c.LF)
}

// validateCancellation checks a RequestCancellation (AHB 44022 [500]).
func validateCancellation(c RequestCancellation) error {
	if c.TransactionID == "" {
		return fmt.Errorf("%w: transaction_id missing", ErrInvalidCommand)
	}
	if err := oneOf("category", c.Category, "E01", "E02", "E35"); err != nil {
		return err
	}
	return validIDs(c.MaLo, c.Sender, c.Recipient)
}

// validateDecide checks a Decide: its request, a 3-character code, a
// Gastag boundary as End.
func validateDecide(c Decide) error {
	if c.Partner == "" || c.TransactionID == "" {
		return fmt.Errorf("%w: partner and transaction_id required", ErrInvalidCommand)
	}
	if c.Code != "" && len(c.Code) != 3 {
		return fmt.Errorf("%w: code %q: want 3 characters", ErrInvalidCommand, c.Code)
	}
	if !c.End.IsZero() {
		return gasDate("end", c.End)
	}
	return nil
}

// ERPCommands returns the ERP commands of the module (module.Module
// .ERPCommands): the starts spawn one process per idempotency key of their
// workflow; Decide goes to the process waiting under DecisionKey;
// RequestCancellation goes to the process that sent the cancelled
// transaction (utilmdkit.RouteCancellation), which sends the 44022 and is
// ended by its confirmation (a transaction no process sent is refused).
func ERPCommands() []erp.CommandType {
	return []erp.CommandType{
		{Type: ERPRegisterSupplyStart, Workflow: WorkflowLFNLieferbeginn, Decode: utilmdkit.Decoder(RegisterSupplyStart.validate)},
		{Type: ERPRequestTermination, Workflow: WorkflowLFNKuendigung, Decode: utilmdkit.Decoder(RequestTermination.validate)},
		{Type: ERPRegisterSupplyEnd, Workflow: WorkflowLFLieferende, Decode: utilmdkit.Decoder(RegisterSupplyEnd.validate)},
		{Type: ERPDeregisterSupply, Workflow: WorkflowNBAbmeldung, Decode: utilmdkit.Decoder(DeregisterSupply.validate)},
		{Type: ERPRegisterEoG, Workflow: WorkflowNBEoG, Decode: utilmdkit.Decoder(RegisterEoG.validate)},
		{Type: ERPRequestCancellation, Decode: utilmdkit.Decoder(validateCancellation), Route: utilmdkit.RouteCancellation[family](ErrInvalidCommand)},
		{Type: ERPDecide, Decode: utilmdkit.Decoder(validateDecide), Route: utilmdkit.RouteDecide[family](ErrInvalidCommand, DecisionKey)},
	}
}
