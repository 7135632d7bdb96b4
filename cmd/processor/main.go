// Command processor runs the command processor and the effect relay: it
// executes the commands on `mako.cmd.<tenant>.<process>` (stream
// MAKO_COMMANDS) against their processes with optimistic concurrency, and
// publishes the effects of every committed decision (outbound messages,
// deadlines, business keys) exactly once. Any number of instances may run
// side by side; commands of one process stay in order.
//
//	go run ./cmd/processor --nats-url nats://127.0.0.1:4222
package main

import "github.com/mako-engine/mako/internal/app"

func main() {
	app.Main("processor", app.ProcessorActors)
}
