// Package wire holds what the wire contracts of all mako-engine streams
// share: the header names that more than one stream carries and the parsing
// of the tenant token of a subject. Each stream's own contract is one
// subpackage (command, outbox, timer, deadletter, inbound, delivery, erp, audit;
// the event store's MAKO_EVENTS is pkg/engine/natsstore), owning its stream
// name, subject build and parse, header names and payload encoding.
package wire

import (
	"fmt"
	"strings"
)

// Header names several streams carry with the same meaning.
const (
	// HeaderTenant is the tenant id.
	HeaderTenant = "Mako-Tenant"
	// HeaderProcess is the process id.
	HeaderProcess = "Mako-Process"
	// HeaderWorkflow is the workflow id ("name@FV2604").
	HeaderWorkflow = "Mako-Workflow"
	// HeaderCorrelation is the correlation id.
	HeaderCorrelation = "Mako-Correlation"
	// HeaderTraceParent is the W3C trace context.
	HeaderTraceParent = "traceparent"
)

// TenantToken returns the tenant token of subject `<prefix>.<tenant>[.…]`:
// the first token after prefix. It fails if the subject does not start with
// prefix or the token is empty. The caller validates the token as a tenant
// id (engine.TenantID.Validate) where that matters.
func TenantToken(prefix, subject string) (string, error) {
	rest, ok := strings.CutPrefix(subject, prefix+".")
	tenant, _, _ := strings.Cut(rest, ".")
	if !ok || tenant == "" {
		return "", fmt.Errorf("wire: subject %q is not %s.<tenant>…", subject, prefix)
	}
	return tenant, nil
}

// SoleTenantToken returns the tenant token of subject `<prefix>.<tenant>`:
// it fails unless the subject is exactly that (one non-empty token after
// prefix). Like TenantToken it does not validate the token as a tenant id.
func SoleTenantToken(prefix, subject string) (string, error) {
	tenant, err := TenantToken(prefix, subject)
	if err == nil && len(subject) != len(prefix)+1+len(tenant) {
		err = fmt.Errorf("wire: subject %q is not %s.<tenant>", subject, prefix)
	}
	return tenant, err
}
