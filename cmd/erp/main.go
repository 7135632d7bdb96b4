// Command erp runs the ERP interface and the master data of a split
// deployment: the ERP publisher (committed workflow events → CloudEvents on
// mako.erp.<tenant>, consumer "erp" on MAKO_EVENTS), the ERP receiver (ERP
// commands from mako.erp.in.<tenant>, consumer "erp-in"), the webhook
// forwarder (consumer "webhook"; MAKO_ERP_WEBHOOK_URL …, docs/erp.md) and the
// master-data consumer (KV mako_malo from committed events, consumer "malo").
// cmd/makod runs them in one process with the rest; any number of instances
// may run side by side.
//
//	go run ./cmd/erp --nats-url nats://127.0.0.1:4222
package main

import "github.com/mako-engine/mako/internal/app"

func main() { app.Main("erp", app.ERPActors) }
