package utilmdkit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Enriched is the command a family's Enrich makes of a received request
// (type "<prefix>.enriched"): the transaction plus the family's master data
// M of its MaLo at its receipt. Build it with NewEnriched.
type Enriched[F Family, M any] struct {
	Transaction inbound.Transaction
	MasterData  M

	// parsed is Enrich's parse of Transaction, handed on to Handle so that
	// the processor parses the bytes once per execution. It is not encoded:
	// a decoded Enriched has none, and Handle parses itself.
	parsed *Received
}

// NewEnriched returns the Enriched command of tx with its master data md;
// r is Enrich's parse of tx (nil: Handle parses).
func NewEnriched[F Family, M any](tx inbound.Transaction, md M, r *Received) Enriched[F, M] {
	return Enriched[F, M]{Transaction: tx, MasterData: md, parsed: r}
}

// Parsed returns Enrich's parse of the transaction, nil if there is none
// (a decoded command): the caller parses then.
func (e Enriched[F, M]) Parsed() *Received { return e.parsed }

// CommandType implements engine.CommandData.
func (Enriched[F, M]) CommandType() string { return typeName[F]("enriched") }

// RequestCancellation is the ERP command (type "<prefix>.request_cancellation")
// to cancel a transaction the deployment sent earlier (Stornierung: Strom
// 55022, Gas 44022).
type RequestCancellation[F Family] struct {
	RequestID string `json:"request_id,omitempty"`
	// Sender and Recipient are the own MP-ID and the partner's.
	Sender    string `json:"sender"`
	Recipient string `json:"recipient"`
	// TransactionID is the Vorgangsnummer to cancel (RFF+ACW).
	TransactionID string `json:"transaction_id"`
	// Category is BGM 1001 of the cancelled message: E01, E02 or E35 (AHB
	// 55022/44022 note [500]).
	Category string `json:"category"`
	// MaLo is optional (carried for the ERP events only).
	MaLo string `json:"malo,omitempty"`
}

// CommandType implements engine.CommandData.
func (RequestCancellation[F]) CommandType() string { return typeName[F]("request_cancellation") }

// Decide is the ERP's answer (type "<prefix>.decide") to a DecisionRequested
// event of an answering process: consent or objection, optionally with the
// answer code. It must reach the process before its decision deadline;
// afterwards the default has been applied and Decide is recorded and
// ignored. The ERP transport routes it by Partner and TransactionID.
type Decide[F Family] struct {
	// Partner and TransactionID name the request decided on (the sender's
	// MP-ID and IDE 7402 of the DecisionRequested event).
	Partner       string `json:"partner"`
	TransactionID string `json:"transaction_id"`
	// Object: true objects (Ablehnung), false consents (Zustimmung).
	Object bool `json:"object"`
	// Code is the answer code to use; empty = the code the step names for
	// the verdict (DecisionRequested names both).
	Code string `json:"code,omitempty"`
	// Note is free text for the ERP events and, where the family's answer
	// code needs one, its FTX.
	Note string `json:"note,omitempty"`
	// End is the LFA's own end date where the answered request allows it
	// (Strom: consent to a 55010, 55011 DTM+93; Gas: consent to a
	// Kündigung 44016 with Z01, 44017 DTM+471): a Strom- or Gastag
	// boundary. The families ignore (and note) it elsewhere.
	End time.Time `json:"end,omitempty"`
}

// CommandType implements engine.CommandData.
func (Decide[F]) CommandType() string { return typeName[F]("decide") }

// Timeout is the command a fired deadline becomes (type "<prefix>.timeout",
// engine.DeadlineHandler): its label and its due time (FireTime).
type Timeout[F Family] struct {
	Label string
	Due   time.Time
}

// CommandType implements engine.CommandData.
func (Timeout[F]) CommandType() string { return typeName[F]("timeout") }

// Decoder returns the Decode function of an ERP command type
// (erp.CommandType.Decode) for T: the JSON is decoded strictly
// (DecodeStrict) and then checked by validate (nil: no check), so that the
// ERP gets a refusal, never a dead letter, for a command the family could
// not execute.
func Decoder[T engine.CommandData](validate func(T) error) func(json.RawMessage) (engine.CommandData, error) {
	return func(d json.RawMessage) (engine.CommandData, error) {
		p, err := DecodeStrict[T](d)
		if err != nil {
			return nil, err
		}
		c := p.(T)
		if validate != nil {
			if err := validate(c); err != nil {
				return nil, err
			}
		}
		return c, nil
	}
}

// RouteDecide returns the Route of family F's Decide command
// (erp.CommandType.Route): to the process waiting under key(Partner,
// TransactionID). A payload that is no Decide[F] is refused with an error
// wrapping invalid.
func RouteDecide[F Family](invalid error, key func(partner, tx string) engine.BusinessKey) func(context.Context, erp.Request, engine.CommandData) (erp.Target, error) {
	return func(_ context.Context, _ erp.Request, payload engine.CommandData) (erp.Target, error) {
		c, ok := payload.(Decide[F])
		if !ok {
			return erp.Target{}, fmt.Errorf("%w: %T is not a Decide", invalid, payload)
		}
		k := key(c.Partner, c.TransactionID)
		return erp.Target{Existing: &k}, nil
	}
}
