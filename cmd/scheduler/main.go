// Command scheduler runs the deadline scheduler: it turns fired deadline
// schedules on MAKO_TIMERS into "deadline fired" commands for their
// processes. It refuses to start when the server cannot keep message
// schedules. Any number of instances may run side by side.
//
//	go run ./cmd/scheduler --nats-url nats://127.0.0.1:4222
package main

import "github.com/mako-engine/mako/internal/app"

func main() {
	app.Main("scheduler", app.SchedulerActors)
}
