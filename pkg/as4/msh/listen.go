package msh

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/mako-engine/mako/pkg/as4/smpki"
)

// ErrInsecure: a listen configuration would expose the endpoint beyond loopback without TLS.
var ErrInsecure = errors.New("as4/msh: refusing to listen beyond loopback without TLS or a TLS terminator")

// DefaultPath is the URL path the endpoint is served on.
const DefaultPath = "/as4"

// ServerConfig is how the endpoint listens. Three modes:
//
//   - plain HTTP, loopback only (tests, or a terminator on the same host without
//     TerminatorHeader);
//   - Go TLS (TLSCert/TLSKey; NIST curves only: crypto/tls has no brainpool), with client
//     certificates required and verified against ClientCAs when set;
//   - behind a TLS terminator (deploy/as4/nginx.conf: OpenSSL with brainpool, mTLS against the
//     SM-PKI): TerminatorHeader names the header carrying the client certificate (URL-escaped
//     PEM, nginx $ssl_client_escaped_cert); requests from addresses outside TrustedProxies
//     (default loopback) are refused, so nobody else can forge the header.
//
// Check refuses a non-loopback address unless TLSCert or TerminatorHeader is set.
type ServerConfig struct {
	Addr             string
	Path             string
	TLSCert, TLSKey  string
	ClientCAs        string
	TerminatorHeader string
	TrustedProxies   []netip.Prefix
}

// Check validates the configuration (see ServerConfig).
func (c ServerConfig) Check() error {
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return fmt.Errorf("as4 listen %q: %w", c.Addr, err)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("%w: TLS certificate and key go together", ErrConfig)
	}
	if c.ClientCAs != "" && c.TLSCert == "" {
		return fmt.Errorf("%w: client CAs need TLS", ErrConfig)
	}
	if c.TLSCert == "" && c.TerminatorHeader == "" && !isLoopback(host) {
		return fmt.Errorf("%w: %s", ErrInsecure, c.Addr)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// PeerSource returns the PeerCertificate source of the mode (nil for plain HTTP) and whether
// a client certificate is required.
func (c ServerConfig) PeerSource(trust *Trust) (PeerCertificate, bool) {
	switch {
	case c.TerminatorHeader != "":
		return FromHeader(c.TerminatorHeader, trust, c.TrustedProxies), true
	case c.ClientCAs != "":
		return FromTLS, true
	}
	return nil, false
}

// FromTLS reads the client certificate of a Go TLS connection (verified by crypto/tls against
// ServerConfig.ClientCAs).
func FromTLS(r *http.Request) (*smpki.Certificate, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, nil
	}
	return smpki.Parse(r.TLS.PeerCertificates[0].Raw)
}

// FromHeader reads the client certificate a TLS terminator passes in header name (URL-escaped
// PEM, as nginx's $ssl_client_escaped_cert) and verifies its chain to trust's roots (the
// terminator verified it already; checking again costs little and catches a misconfigured
// terminator). Requests from outside proxies (default: loopback) are refused.
func FromHeader(name string, trust *Trust, proxies []netip.Prefix) PeerCertificate {
	return func(r *http.Request) (*smpki.Certificate, error) {
		ap, err := netip.ParseAddrPort(r.RemoteAddr)
		if err != nil {
			return nil, fmt.Errorf("remote address %q: %w", r.RemoteAddr, err)
		}
		if !trustedProxy(ap.Addr().Unmap(), proxies) {
			return nil, fmt.Errorf("request from %s, not from the TLS terminator", ap.Addr())
		}
		v := r.Header.Get(name)
		if v == "" {
			return nil, nil
		}
		pemText, err := url.PathUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", name, err)
		}
		cs, err := ParseCertificates(pemText)
		if err != nil {
			return nil, fmt.Errorf("header %s: %w", name, err)
		}
		if _, err := smpki.Verify(cs[0], smpki.VerifyOptions{Roots: trust.Roots, Intermediates: append(cs[1:], trust.Intermediates...),
			CurrentTime: trust.now(), Revocation: trust.CRLs}); err != nil {
			return nil, fmt.Errorf("header %s: %w", name, err)
		}
		return cs[0], nil
	}
}

func trustedProxy(a netip.Addr, proxies []netip.Prefix) bool {
	if len(proxies) == 0 {
		return a.IsLoopback()
	}
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Listen opens the listener of c (TLS when configured).
func (c ServerConfig) Listen() (net.Listener, error) {
	if err := c.Check(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return nil, fmt.Errorf("as4 listen %s: %w", c.Addr, err)
	}
	if c.TLSCert == "" {
		return ln, nil
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("%w: TLS: %v", ErrConfig, err)
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if c.ClientCAs != "" {
		pemData, err := os.ReadFile(c.ClientCAs)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("%w: client CAs: %v", ErrConfig, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pemData) {
			ln.Close()
			return nil, fmt.Errorf("%w: client CAs: no PEM certificate", ErrConfig)
		}
		tc.ClientCAs, tc.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return tls.NewListener(ln, tc), nil
}

// Serve serves h on ln at c.Path until ctx ends, then shuts down gracefully.
func (c ServerConfig) Serve(ctx context.Context, ln net.Listener, h http.Handler, log zerolog.Logger) error {
	path := c.Path
	if path == "" {
		path = DefaultPath
	}
	mux := http.NewServeMux()
	mux.Handle(path, h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute, WriteTimeout: 2 * time.Minute}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info().Str("as4", ln.Addr().String()).Str("path", path).Bool("tls", c.TLSCert != "").Str("terminator_header", c.TerminatorHeader).Msg("serving the AS4 endpoint")
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newUUID returns a random UUID (version 4).
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
