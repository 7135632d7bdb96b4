package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mako-engine/mako/pkg/console"
	"github.com/mako-engine/mako/pkg/metrics"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

// httpDefaults are the default --http addresses of the commands, distinct so
// that one of each can run on a host without flags.
var httpDefaults = map[string]string{
	"ingest": "127.0.0.1:9101", "processor": "127.0.0.1:9102", "scheduler": "127.0.0.1:9103",
	"deliverer": "127.0.0.1:9104", "projector": "127.0.0.1:8080", "makod": "127.0.0.1:8080", "erp": "127.0.0.1:9105", "as4": "127.0.0.1:9106",
}

// Wiring is what a command's actors are built from.
type Wiring struct {
	Config  *Config
	Conn    *nats.Conn
	JS      jetstream.JetStream
	System  *System
	Metrics *metrics.Metrics
	Health  *metrics.Health
	// Mux is served on --http; /metrics, /healthz and /readyz are mounted.
	// Actors may add handlers (the read API) before they return.
	Mux *http.ServeMux
	// Auth guards the --http listener (nil: none configured, loopback only).
	Auth *console.Auth
	// Log is the command's logger.
	Log zerolog.Logger

	// AS4 parts shared by the endpoint, the monitor and the deliverer (as4.go).
	as4Once  sync.Once
	as4Parts *as4Parts
	as4Err   error
	crlOnce  sync.Once
}

// Main is the whole main of a worker command (cmd/ingest, cmd/processor
// …): it runs RunWorkerWith with the process's arguments until
// SIGINT/SIGTERM, and on failure prints "<name>: <error>" to stderr and
// exits with status 1.
func Main(name string, pick func(*Wiring) []Actor) {
	if err := RunWorkerWith(context.Background(), name, os.Args[1:], os.Stderr, pick); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// RunWorkerWith parses args, connects to NATS, sets up the pipeline system
// and runs the actors pick returns (and the --http server) until
// SIGINT/SIGTERM or ctx ends.
func RunWorkerWith(ctx context.Context, name string, args []string, stderr io.Writer, pick func(*Wiring) []Actor) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	c.Register(fs)
	fs.StringVar(&c.HTTP, "http", env("MAKO_HTTP", httpDefaults[name]), "address of /metrics, /healthz, /readyz (and the read API where served); empty disables (env MAKO_HTTP)")
	if name == "as4" || name == "deliverer" {
		c.AS4.Register(fs, &c, map[string]string{"as4": "127.0.0.1:9443"}[name])
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
	return serve(ctx, name, &c, nil, pick)
}

// serve connects, builds the system and runs the actors and the HTTP server.
func serve(ctx context.Context, name string, c *Config, extra []nats.Option, pick func(*Wiring) []Actor) error {
	log, err := c.Logger(name)
	if err != nil {
		return err
	}
	auth, err := c.Auth.build(ctx, c.HTTP)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	nc, js, err := c.Connect("mako-"+name, log, extra...)
	if err != nil {
		return err
	}
	defer nc.Close()
	m := metrics.New()
	pc, err := c.PipelineConfig(log)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	pc.Metrics = m
	sys, err := NewSystem(ctx, js, pc)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer sys.Close()
	w := &Wiring{Config: c, Conn: nc, JS: js, System: sys, Metrics: m, Health: &metrics.Health{}, Mux: http.NewServeMux(), Auth: auth, Log: log}
	w.Health.Add("nats", func(context.Context) error {
		if !nc.IsConnected() {
			return errors.New("not connected to NATS")
		}
		return nil
	})
	w.Health.Add("streams", func(ctx context.Context) error {
		// The write path: every MAKO_* stream and the engine's buckets. A
		// missing read-model bucket must not take the workers out of service.
		for _, s := range streams.Names() {
			if !strings.HasPrefix(s, "MAKO_") && !slices.Contains(streams.EngineStreams(), s) {
				continue
			}
			if _, err := js.Stream(ctx, s); err != nil {
				return fmt.Errorf("stream %s: %w", s, err)
			}
		}
		return nil
	})
	actors := pick(w)
	var refs []metrics.ConsumerRef
	for _, st := range streams.Names() {
		for _, cn := range streams.Consumers(st) {
			refs = append(refs, metrics.ConsumerRef{Stream: st, Consumer: cn})
		}
	}
	if err := m.RegisterConsumerLag(js, refs...); err != nil {
		return err
	}
	m.Mount(w.Mux, w.Health)
	if c.HTTP != "" {
		ln, err := net.Listen("tcp", c.HTTP)
		if err != nil {
			return fmt.Errorf("--http %s: %w", c.HTTP, err)
		}
		srv := &http.Server{Handler: w.protect(w.Mux), ReadHeaderTimeout: 5 * time.Second}
		actors = append(actors, func(ctx context.Context) error {
			go func() {
				<-ctx.Done()
				sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_ = srv.Shutdown(sctx)
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		log.Info().Str("http", ln.Addr().String()).Msg("serving /metrics /healthz /readyz")
	}
	log.Info().Str("nats", nc.ConnectedUrl()).Strs("modules", c.Modules).Int("tenants", len(c.Tenants)).Msg("started")
	err = Run(ctx, actors...)
	log.Info().Err(err).Msg("stopped")
	// Acks of the last handled messages must reach the server.
	_ = nc.FlushTimeout(2 * time.Second)
	return err
}
