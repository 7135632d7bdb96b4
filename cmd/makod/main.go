// Command makod is mako-engine in one process: an embedded nats-server with
// JetStream (file store in ./data, clients on 127.0.0.1:4222 so the nats CLI
// works as is) and every worker of the pipeline. With --nats-url (or
// NATS_URL) it runs the workers against an external NATS instead.
//
//	go run ./cmd/makod
//	nats pub mako.ingest.nb --file utilmd.edi
//
// SIGINT or SIGTERM stops the workers (in-flight messages are finished and
// acknowledged, the rest stays in the streams) and then the server.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/mako-engine/mako/internal/app"
)

func main() {
	if err := app.RunDaemon(context.Background(), os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "makod:", err)
		os.Exit(1)
	}
}
