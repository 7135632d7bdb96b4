// Package erp runs the ERP side of mako-engine (docs/erp.md) on the wire
// contract of package wire/erp: Publisher turns committed workflow events
// into CloudEvents on mako.erp.<tenant>, Receiver executes the ERP commands
// of mako.erp.in.<tenant>, and Webhook forwards the outbound CloudEvents to
// an HTTP endpoint with Standard-Webhooks signatures.
package erp
