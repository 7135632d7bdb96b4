// Package natstest starts real, embedded nats-server instances for tests.
//
// Every test that needs JetStream uses this package: a server runs in-process
// with its file store in t.TempDir(), and clients connect through the
// in-process pipe, so tests need no network and no external binaries.
// Servers are shut down by t.Cleanup.
package natstest

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Server is a running embedded nats-server with JetStream enabled.
type Server struct {
	*server.Server
	// StoreDir is the JetStream store directory; it survives Restart.
	StoreDir string
	opts     *server.Options
	tb       testing.TB
}

// Option adjusts the server options before start.
type Option func(*server.Options)

// WithListen makes the server listen on a random loopback TCP port, for
// tests that need a real client URL (for example other processes or
// credentials tests). Without it the server has no client listener.
func WithListen() Option {
	return func(o *server.Options) {
		o.DontListen = false
		o.Host = "127.0.0.1"
		o.Port = -1
	}
}

// WithStoreDir uses dir as the JetStream store instead of a fresh temp dir.
func WithStoreDir(dir string) Option {
	return func(o *server.Options) { o.StoreDir = dir }
}

// Start runs an embedded JetStream server for the duration of the test.
// It fails the test if the server is not ready within 10 seconds.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	o := &server.Options{
		ServerName: "mako-test",
		JetStream:  true,
		StoreDir:   tb.TempDir(),
		DontListen: true,
		Host:       "127.0.0.1",
		Port:       -1,
		NoLog:      true,
		NoSigs:     true,
	}
	for _, opt := range opts {
		opt(o)
	}
	s := &Server{StoreDir: o.StoreDir, opts: o, tb: tb}
	s.start()
	tb.Cleanup(s.Shutdown)
	return s
}

func (s *Server) start() {
	s.tb.Helper()
	o := *s.opts
	ns, err := server.NewServer(&o)
	if err != nil {
		s.tb.Fatalf("natstest: new server: %v", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		s.tb.Fatalf("natstest: server not ready within 10s")
	}
	s.Server = ns
}

// Shutdown stops the server and waits until it is down. It is safe to call
// more than once.
func (s *Server) Shutdown() {
	if s.Server == nil {
		return
	}
	s.Server.Shutdown()
	s.Server.WaitForShutdown()
}

// Restart shuts the server down and starts a new one on the same store
// directory (and the same options). Existing client connections reconnect
// only if they were created with reconnect options; tests usually Connect anew.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Shutdown()
	s.start()
}

// Connect opens a client connection to the server through the in-process
// pipe. The connection is closed by t.Cleanup.
func (s *Server) Connect(opts ...nats.Option) *nats.Conn {
	s.tb.Helper()
	opts = append([]nats.Option{nats.InProcessServer(s.Server)}, opts...)
	nc, err := nats.Connect(s.ClientURL(), opts...)
	if err != nil {
		s.tb.Fatalf("natstest: connect: %v", err)
	}
	s.tb.Cleanup(nc.Close)
	return nc
}

// JetStream returns a JetStream context on a fresh connection.
func (s *Server) JetStream(opts ...nats.Option) (*nats.Conn, jetstream.JetStream) {
	s.tb.Helper()
	nc := s.Connect(opts...)
	js, err := jetstream.New(nc)
	if err != nil {
		s.tb.Fatalf("natstest: jetstream: %v", err)
	}
	return nc, js
}
