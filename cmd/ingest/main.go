// Command ingest runs the ingest worker: it consumes raw EDIFACT from
// `mako.ingest.<tenant>` (stream MAKO_INGEST), checks the syntax, answers
// with CONTRL where due, and turns every transaction into a command for its
// process. Any number of instances may run side by side.
//
//	go run ./cmd/ingest --nats-url nats://127.0.0.1:4222 --tenant nb=9900000000011:NB:strom
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/pkg/pipeline"
)

func main() {
	err := app.RunWorker(context.Background(), "ingest", os.Args[1:], os.Stderr, func(s *pipeline.System) []app.Actor {
		return []app.Actor{s.RunIngest}
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ingest:", err)
		os.Exit(1)
	}
}
