// Command projector builds the read models (process overviews, business-key
// index, dead letters; pkg/workers/readmodel) from MAKO_EVENTS and MAKO_DLQ and
// serves the HTTP read API (pkg/api) and the operator console (pkg/console)
// on --http (default 127.0.0.1:8080) next to /metrics, /healthz and
// /readyz. Any number of instances may run side by side; they share the
// durable "projector" consumers.
//
//	go run ./cmd/projector --nats-url nats://127.0.0.1:4222
//	curl 'http://127.0.0.1:8080/v1/processes?tenant=nb'
package main

import "github.com/mako-engine/mako/internal/app"

func main() {
	app.Main("projector", app.ProjectorActors)
}
