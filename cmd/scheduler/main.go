// Command scheduler runs the deadline scheduler: it turns fired deadline
// schedules on MAKO_TIMERS into "deadline fired" commands for their
// processes. It refuses to start when the server cannot keep message
// schedules. Any number of instances may run side by side.
//
//	go run ./cmd/scheduler --nats-url nats://127.0.0.1:4222
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/pkg/pipeline"
)

func main() {
	err := app.RunWorker(context.Background(), "scheduler", os.Args[1:], os.Stderr, func(s *pipeline.System) []app.Actor {
		return []app.Actor{s.RunScheduler}
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "scheduler:", err)
		os.Exit(1)
	}
}
