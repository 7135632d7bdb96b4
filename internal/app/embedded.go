package app

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats-server/v2/server"
)

// Embedded configures the nats-server that cmd/makod runs in-process.
type Embedded struct {
	// DataDir holds the JetStream file store (created if missing).
	DataDir string
	// Listen is the client address, host:port (default 127.0.0.1:4222), so
	// the nats CLI works as is.
	Listen string
	// Monitor is the HTTP monitoring address, host:port; "" disables it.
	Monitor string
}

// Start runs the embedded server and waits until it accepts connections.
func (e Embedded) Start() (*server.Server, error) {
	host, port, err := splitHostPort(e.Listen, "127.0.0.1", 4222)
	if err != nil {
		return nil, fmt.Errorf("--listen: %w", err)
	}
	dir, err := filepath.Abs(e.DataDir)
	if err != nil {
		return nil, err
	}
	opts := &server.Options{
		ServerName: "makod",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   dir,
		NoSigs:     true,
		// Interchanges up to streams.MaxInterchange pass ingest and travel
		// on as commands (README "Interchange size").
		MaxPayload: streams.MaxPayload,
	}
	if e.Monitor != "" {
		mh, mp, err := splitHostPort(e.Monitor, "127.0.0.1", 8222)
		if err != nil {
			return nil, fmt.Errorf("--monitor: %w", err)
		}
		opts.HTTPHost, opts.HTTPPort = mh, mp
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("embedded nats-server: %w", err)
	}
	go s.Start()
	if !s.ReadyForConnections(15 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("embedded nats-server on %s:%d not ready within 15s (port in use?)", host, port)
	}
	return s, nil
}

func splitHostPort(addr, defHost string, defPort int) (string, int, error) {
	if addr == "" {
		return defHost, defPort, nil
	}
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	if h == "" {
		h = defHost
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, fmt.Errorf("port %q: %w", p, err)
	}
	return h, n, nil
}
