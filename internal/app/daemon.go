package app

import (
	"context"
	"errors"
	"flag"
	"io"

	"github.com/nats-io/nats.go"
)

// RunDaemon is the main of cmd/makod: the embedded nats-server (unless an
// external NATS URL is given) and every worker in one process.
func RunDaemon(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("makod", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	c.Register(fs)
	fs.StringVar(&c.HTTP, "http", env("MAKO_HTTP", httpDefaults["makod"]), "address of the read API, /metrics, /healthz, /readyz; empty disables (env MAKO_HTTP)")
	var emb Embedded
	fs.StringVar(&emb.DataDir, "data", env("MAKO_DATA", "./data"), "JetStream store directory of the embedded server (env MAKO_DATA)")
	fs.StringVar(&emb.Listen, "listen", env("MAKO_LISTEN", "127.0.0.1:4222"), "client address of the embedded server (env MAKO_LISTEN)")
	fs.StringVar(&emb.Monitor, "monitor", env("MAKO_MONITOR", ""), "HTTP monitoring address of the embedded server, e.g. 127.0.0.1:8222 (env MAKO_MONITOR)")
	// makod's default is its embedded server, not a URL: the help says so.
	if f := fs.Lookup("nats-url"); f != nil {
		c.NatsURL = env("NATS_URL", "")
		f.DefValue = c.NatsURL
		f.Usage = "external NATS server URL(s), comma-separated; default: none, run the embedded server (env NATS_URL)"
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h: the help is printed, nothing failed
		}
		return err
	}
	if err := c.Finish(); err != nil {
		return err
	}
	log, err := c.Logger("makod")
	if err != nil {
		return err
	}
	external := c.NatsURL != "" // --nats-url or NATS_URL
	var extra []nats.Option
	if !external {
		srv, err := emb.Start()
		if err != nil {
			return err
		}
		defer func() {
			srv.Shutdown()
			srv.WaitForShutdown()
		}()
		c.NatsURL = srv.ClientURL()
		extra = append(extra, nats.InProcessServer(srv))
		log.Info().Str("listen", srv.ClientURL()).Str("data", emb.DataDir).Msg("embedded nats-server started")
	}
	return serve(ctx, "makod", &c, extra, DaemonActors)
}

// DaemonActors are the workers cmd/makod runs in one process.
func DaemonActors(w *Wiring) []Actor {
	s := w.System
	return append(MountConsole(w), s.RunIngest, s.RunProcessor, s.RunRelay, s.RunScheduler, s.RunDeliverer, s.RunProjector, s.RunERPPublisher, s.RunERPReceiver, s.RunERPWebhook, s.RunMaLo)
}
