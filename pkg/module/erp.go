package module

import (
	"context"
	"encoding/json"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
)

// ERPRequest is an ERP command as the ERP sends it on
// `mako.erp.in.<tenant>` (the wire contract, its encoding and validation
// live in pkg/wire/erp, which names this type erp.Request):
//
//	{"idempotency_key": "…", "type": "gpke.lfn.register_supply_start", "tenant": "lf", "data": {…}}
//
// IdempotencyKey (1..200 bytes, no NUL) makes the command execute once;
// Tenant must equal the subject's tenant; Type names a registered
// ERPCommand; Data is decoded by it.
type ERPRequest struct {
	IdempotencyKey string          `json:"idempotency_key"`
	Type           string          `json:"type"`
	Tenant         string          `json:"tenant"`
	Data           json.RawMessage `json:"data"`
}

// ERPTarget names the process an ERP command goes to (pkg/wire/erp names
// this type erp.Target).
type ERPTarget struct {
	// Workflow is the workflow name. The definition serving FormatVersion
	// is picked with Engine.Lookup.
	Workflow string
	// FormatVersion of the command; zero = the version in force at the
	// command's receipt (fv.Resolve).
	FormatVersion fv.Version
	// Key is the 1:1 registry key under which the process is spawned or
	// resumed. Empty = erp.DefaultKey(idempotency key): a new process per
	// command.
	Key string
	// Existing, when set, sends the command to the newest live process
	// correlated with this business key instead of spawning one; if there
	// is none, the command is rejected.
	Existing *engine.BusinessKey
}

// ERPCommand is one ERP command a module accepts (Module.ERPCommands;
// pkg/wire/erp names this type erp.CommandType and indexes them in its
// Registry).
type ERPCommand struct {
	// Type is the ERPRequest.Type, e.g. "gpke.lfn.register_supply_start".
	Type string
	// Workflow is the workflow that executes the command when Route is nil.
	Workflow string
	// Decode decodes and validates ERPRequest.Data into the workflow's
	// command payload (a type registered in the workflow's codec). An error
	// rejects the command; its text is the rejection reason the ERP sees.
	Decode func(data json.RawMessage) (engine.CommandData, error)
	// Route, if set, names the target process. nil = a new process of
	// Workflow per idempotency key. An error rejects the command.
	Route func(ctx context.Context, req ERPRequest, payload engine.CommandData) (ERPTarget, error)
}
