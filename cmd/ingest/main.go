// Command ingest runs the ingest worker: it consumes raw EDIFACT from
// `mako.ingest.<tenant>` (stream MAKO_INGEST), checks the syntax, answers
// with CONTRL where due, and turns every transaction into a command for its
// process. Any number of instances may run side by side.
//
//	go run ./cmd/ingest --nats-url nats://127.0.0.1:4222 --tenant nb=9900000000011:NB:strom
package main

import "github.com/mako-engine/mako/internal/app"

func main() {
	app.Main("ingest", app.IngestActors)
}
