// Command deliverer runs the outbox deliverer: it consumes final outbound
// interchanges from `mako.outbox.<tenant>.<recipient>` (stream MAKO_OUTBOX,
// durable consumer `deliverer`), looks up the recipient's channel in KV
// bucket mako_partners (`mako partner set …`) and hands the interchange to
// an HTTP gateway, a gateway directory or a NATS subject, retrying with
// jittered backoff within the retry window. Any number of instances may run
// side by side.
//
//	go run ./cmd/deliverer --nats-url nats://127.0.0.1:4222
//
// Besides the shared flags it reads MAKO_DELIVER_BACKOFF_BASE (5s),
// MAKO_DELIVER_BACKOFF_CAP (5m), MAKO_DELIVER_WINDOW (72h),
// MAKO_DELIVER_TIMEOUT (30s), MAKO_DELIVER_LANES (32) and
// MAKO_DELIVER_FILE_PATTERN (docs/deliverer.md).
package main

import "github.com/mako-engine/mako/internal/app"

func main() {
	app.Main("deliverer", app.DelivererActors)
}
