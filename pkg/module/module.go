// Package module is the contract between the runtime and a process family
// (gpke, testflow, …): what a family provides — its workflow definitions,
// the PID routes to them, the enricher that adds master data before a
// command executes, the ERP commands it accepts, and the hooks its events
// implement for outcomes, alerts and the process overview.
//
// The package depends only on the engine, the PID router and the ERP wire
// contract, so a family that imports it pulls in no NATS client, no HTTP
// and no metrics (checked by TestFamiliesArePure). The workers (package
// processor, readmodel, erp) and the assembly (internal/app) consume it.
package module

import (
	"context"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

// Module is a family of workflows: their definitions (one per format
// version) and the PID routes that lead inbound transactions to them.
type Module struct {
	// Name identifies the module in route conflicts and logs.
	Name string
	// Definitions are the module's workflows, one per format version they
	// serve; every route must name one of them.
	Definitions []engine.AnyDefinition
	// Routes lead inbound transactions to the workflows by PID, sector and
	// role; a Route without Module gets the module's Name.
	Routes []routing.Route
	// Enrich, if set, adds master data or other facts to the commands of
	// the module's workflows before they execute (see Enricher).
	Enrich Enricher
	// ERPCommands are the ERP commands the module accepts on
	// mako.erp.in.<tenant> (pkg/wire/erp; the ERP receiver of pkg/workers/erp).
	ERPCommands []erp.CommandType
}

// Enricher adds to a command the facts its workflow needs but the message
// does not carry (master data such as the current supplier of a MaLo, an ERP
// decision). It runs in the processor right before the command is executed —
// I/O is allowed here, never in Handle — and may change only cmd.Payload and
// cmd.Type (for example wrap the payload in a type that carries the master
// data); identity, id and times stay. It runs again on every delivery of the
// command; once the command is committed a redelivery is a duplicate and its
// enrichment is ignored.
type Enricher func(ctx context.Context, id engine.ProcessIdentity, cmd *engine.Command) error

// AperakAlert is implemented by workflow events that record a partner's
// APERAK missing at its deadline; AperakMissed names the label (metric
// mako_aperak_missed_total).
type AperakAlert interface {
	AperakMissed() string
}

// Outcome is implemented by workflow events that end a process: their
// ProcessOutcome names the result ("accepted", "rejected", "timeout",
// "cancelled" …). The processor counts such events as completed processes
// (metric mako_process_completed_total); the read model shows the result.
type Outcome interface {
	ProcessOutcome() string
}

// Fields is what a workflow event tells the process overview beyond its
// type: the new state label, the Prüfidentifikatoren it carries and the
// market locations it concerns.
type Fields struct {
	// State is the process's state label after this event ("waiting for
	// answer", "accepted" …); empty leaves the label unchanged.
	State string
	// PIDs are the Prüfidentifikatoren of the messages behind the event.
	PIDs []string
	// MaLo are the market locations the event concerns (the read model's
	// Process.MaLo and the malo entries of its business-key index, as if
	// bound as keys; a MaLo also bound as a key is indexed once).
	MaLo []string
}

// Projectable is implemented by workflow event data that contributes to
// the process overview. ProjectionFields must be a pure function of the
// event (the projector calls it on every replay; a rebuild must give the
// same result).
type Projectable interface {
	ProjectionFields() Fields
}
