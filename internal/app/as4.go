package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/mako-engine/mako/pkg/as4/msh"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
	"github.com/mako-engine/mako/streams"
	"github.com/rs/zerolog"
)

// AS4Config configures the native AS4 MSH (pkg/as4/msh, docs/as4.md): the inbound endpoint
// (--as4-listen; off when empty), the keys of the tenants' MP-IDs and the SM-PKI trust. With
// --as4-keys set the deliverer also gets the as4 transport.
type AS4Config struct {
	Listen, Path               string
	TLSCert, TLSKey, ClientCAs string
	TerminatorHeader, Proxies  string
	Keys, Roots, Intermediates string
	CRLs                       string
	DedupWindow, ExpiryWarning time.Duration
	SweepInterval              time.Duration
}

// Register adds the --as4-* flags (each defaulting to its MAKO_AS4_* variable); listen is the
// default listen address ("" = endpoint off).
func (a *AS4Config) Register(fs *flag.FlagSet, c *Config, listen string) {
	fs.StringVar(&a.Listen, "as4-listen", env("MAKO_AS4_LISTEN", listen), "address of the AS4 endpoint; empty disables it; beyond loopback only with --as4-tls-cert or --as4-terminator-header (env MAKO_AS4_LISTEN)")
	fs.StringVar(&a.Path, "as4-path", env("MAKO_AS4_PATH", msh.DefaultPath), "URL path of the AS4 endpoint (env MAKO_AS4_PATH)")
	fs.StringVar(&a.TLSCert, "as4-tls-cert", env("MAKO_AS4_TLS_CERT", ""), "PEM server certificate for TLS in Go (NIST curves only; brainpool TLS needs the terminator, deploy/as4) (env MAKO_AS4_TLS_CERT)")
	fs.StringVar(&a.TLSKey, "as4-tls-key", env("MAKO_AS4_TLS_KEY", ""), "PEM key of --as4-tls-cert (env MAKO_AS4_TLS_KEY)")
	fs.StringVar(&a.ClientCAs, "as4-client-cas", env("MAKO_AS4_CLIENT_CAS", ""), "PEM CAs verifying TLS client certificates (requires them) (env MAKO_AS4_CLIENT_CAS)")
	fs.StringVar(&a.TerminatorHeader, "as4-terminator-header", env("MAKO_AS4_TERMINATOR_HEADER", ""), "header in which the TLS terminator passes the client certificate (URL-escaped PEM), e.g. X-SSL-Client-Cert; requires it (env MAKO_AS4_TERMINATOR_HEADER)")
	fs.StringVar(&a.Proxies, "as4-trusted-proxies", env("MAKO_AS4_TRUSTED_PROXIES", ""), "CIDRs the terminator connects from, comma-separated (default loopback) (env MAKO_AS4_TRUSTED_PROXIES)")
	fs.StringVar(&a.Keys, "as4-keys", env("MAKO_AS4_KEYS", ""), "directory with one subdirectory per own MP-ID holding signing.pem/.key and encryption.pem/.key (env MAKO_AS4_KEYS)")
	fs.StringVar(&a.Roots, "as4-roots", env("MAKO_AS4_ROOTS", ""), "PEM file of the SM-PKI root certificates (env MAKO_AS4_ROOTS)")
	fs.StringVar(&a.Intermediates, "as4-intermediates", env("MAKO_AS4_INTERMEDIATES", ""), "PEM file of SM-PKI Sub-CA certificates (env MAKO_AS4_INTERMEDIATES)")
	fs.StringVar(&a.CRLs, "as4-crls", env("MAKO_AS4_CRLS", ""), "directory of CRLs (*.crl, DER or PEM), reloaded on every monitor sweep (env MAKO_AS4_CRLS)")
	fs.DurationVar(&a.DedupWindow, "as4-dedup-window", c.envDuration("MAKO_AS4_DEDUP_WINDOW", msh.DefaultDedupWindow), "how long inbound MessageIds are remembered (env MAKO_AS4_DEDUP_WINDOW)")
	fs.DurationVar(&a.ExpiryWarning, "as4-expiry-warning", c.envDuration("MAKO_AS4_EXPIRY_WARNING", msh.DefaultExpiryWarning), "alarm this long before a certificate expires (env MAKO_AS4_EXPIRY_WARNING)")
	fs.DurationVar(&a.SweepInterval, "as4-sweep", c.envDuration("MAKO_AS4_SWEEP", time.Hour), "interval of the certificate and CRL checks (env MAKO_AS4_SWEEP)")
}

// server returns the listen configuration.
func (a *AS4Config) server() (msh.ServerConfig, error) {
	sc := msh.ServerConfig{Addr: a.Listen, Path: a.Path, TLSCert: a.TLSCert, TLSKey: a.TLSKey, ClientCAs: a.ClientCAs, TerminatorHeader: a.TerminatorHeader}
	for _, p := range splitList(a.Proxies) {
		pr, err := netip.ParsePrefix(p)
		if err != nil {
			return sc, fmt.Errorf("--as4-trusted-proxies: %w", err)
		}
		sc.TrustedProxies = append(sc.TrustedProxies, pr)
	}
	return sc, sc.Check()
}

// as4Parts are the loaded keys and trust.
type as4Parts struct {
	ids   *msh.Identities
	trust *msh.Trust
	crls  func(now time.Time) error
}

// load reads the identities of the tenants' MP-IDs that have a key directory, the roots and
// the CRLs.
func (a *AS4Config) load(c *Config) (*as4Parts, error) {
	if a.Keys == "" || a.Roots == "" {
		return nil, errors.New("AS4 needs --as4-keys and --as4-roots")
	}
	var ids []*msh.Identity
	for _, t := range c.Tenants {
		for _, mp := range t.MPIDs {
			dir := filepath.Join(a.Keys, mp)
			if _, err := os.Stat(dir); err != nil {
				continue
			}
			id, err := msh.LoadIdentityDir(dir, mp)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("--as4-keys %s: no directory named after a tenant MP-ID", a.Keys)
	}
	set, err := msh.NewIdentities(ids...)
	if err != nil {
		return nil, err
	}
	trust := &msh.Trust{}
	if trust.Roots, err = readPEMCerts(a.Roots); err != nil {
		return nil, fmt.Errorf("--as4-roots: %w", err)
	}
	if a.Intermediates != "" {
		if trust.Intermediates, err = readPEMCerts(a.Intermediates); err != nil {
			return nil, fmt.Errorf("--as4-intermediates: %w", err)
		}
	}
	p := &as4Parts{ids: set, trust: trust, crls: func(time.Time) error { return nil }}
	if a.CRLs != "" {
		trust.CRLs = smpki.NewCRLStore()
		p.crls = func(now time.Time) error {
			return msh.LoadCRLDir(trust.CRLs, a.CRLs, append(append([]*smpki.Certificate{}, trust.Roots...), trust.Intermediates...), now)
		}
		if err := p.crls(time.Now()); err != nil {
			return nil, fmt.Errorf("--as4-crls: %w", err)
		}
	}
	return p, nil
}

func readPEMCerts(path string) ([]*smpki.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return msh.ParseCertificates(string(b))
}

// AS4Actors returns the AS4 endpoint (when --as4-listen is set) and the certificate/CRL
// monitor. Configuration errors surface when the actors start.
func (w *Wiring) AS4Actors() []Actor {
	a := &w.Config.AS4
	fail := func(err error) []Actor {
		return []Actor{func(context.Context) error { return fmt.Errorf("as4: %w", err) }}
	}
	if a.Keys == "" && a.Listen == "" {
		return nil
	}
	var sc msh.ServerConfig
	if a.Listen != "" {
		var err error
		if sc, err = a.server(); err != nil {
			return fail(err)
		}
	}
	parts, err := w.as4()
	if err != nil {
		return fail(err)
	}
	log, err := w.Config.Logger("as4")
	if err != nil {
		return fail(err)
	}
	var tenants []string
	for _, t := range w.Config.Tenants {
		tenants = append(tenants, string(t.ID))
	}
	var actors []Actor
	actors = append(actors, func(ctx context.Context) error {
		pst, err := partners(ctx, w)
		if err != nil {
			return err
		}
		mon, err := msh.NewMonitor(w.Metrics.Registry, parts.ids, parts.trust, pst, tenants, a.ExpiryWarning, log)
		if err != nil {
			return err
		}
		w.reloadCRLs(ctx, parts, log)
		return mon.Run(ctx, a.SweepInterval)
	})
	if a.Listen == "" {
		return actors
	}
	actors = append(actors, func(ctx context.Context) error {
		pst, err := partners(ctx, w)
		if err != nil {
			return err
		}
		opts := []msh.EndpointOption{msh.WithDedupWindow(a.DedupWindow), msh.WithEndpointLogger(log), msh.WithRegisterer(w.Metrics.Registry),
			msh.WithPathSwitchConfirm(msh.NewTransport(parts.ids, parts.trust, msh.WithPathSwitch(pst)))}
		if src, required := sc.PeerSource(parts.trust); src != nil {
			opts = append(opts, msh.WithPeerCertificate(src, required))
		}
		ep, err := msh.NewEndpoint(ctx, w.JS, parts.ids, parts.trust, pst, w.Config.Tenants, opts...)
		if err != nil {
			return err
		}
		ln, err := sc.Listen()
		if err != nil {
			return err
		}
		return sc.Serve(ctx, ln, ep, log)
	})
	return actors
}

func partners(ctx context.Context, w *Wiring) (partner.Store, error) {
	kv, err := w.JS.KeyValue(ctx, streams.BucketPartners)
	if err != nil {
		return nil, fmt.Errorf("as4: bucket %s: %w", streams.BucketPartners, err)
	}
	st, err := partner.NewNATSStore(kv)
	if err != nil {
		return nil, fmt.Errorf("as4: partner store: %w", err)
	}
	return st, nil
}

// RunDeliverer runs the system's deliverer with the MAKO_DELIVER_* settings and, when
// --as4-keys is set, the as4 transport.
func (w *Wiring) RunDeliverer(ctx context.Context) error {
	opts, err := deliverer.EnvOptions(os.Getenv)
	if err != nil {
		return fmt.Errorf("deliverer: %w", err)
	}
	if w.Config.AS4.Keys != "" {
		parts, err := w.as4()
		if err != nil {
			return fmt.Errorf("deliverer: as4: %w", err)
		}
		log, err := w.Config.Logger("as4")
		if err != nil {
			return fmt.Errorf("deliverer: %w", err)
		}
		w.reloadCRLs(ctx, parts, log)
		pst, err := partners(ctx, w)
		if err != nil {
			return fmt.Errorf("deliverer: %w", err)
		}
		opts = append(opts, deliverer.WithTransport(msh.NewTransport(parts.ids, parts.trust, msh.WithPathSwitch(pst))))
	}
	return w.System.RunDelivererWith(opts...)(ctx)
}

// as4 loads the AS4 identities, trust anchors and CRLs once per process:
// the endpoint, the monitor and the deliverer's as4 transport of one makod
// share them, so a CRL reload reaches all three.
func (w *Wiring) as4() (*as4Parts, error) {
	w.as4Once.Do(func() { w.as4Parts, w.as4Err = w.Config.AS4.load(w.Config) })
	return w.as4Parts, w.as4Err
}

// reloadCRLs starts, once per process, the loop that reloads the CRL
// directory every --as4-sweep until ctx ends (whichever of the monitor and
// the deliverer starts first owns it; both live as long as the process).
func (w *Wiring) reloadCRLs(ctx context.Context, parts *as4Parts, log zerolog.Logger) {
	if parts.trust.CRLs == nil {
		return
	}
	w.crlOnce.Do(func() {
		go func() {
			t := time.NewTicker(w.Config.AS4.SweepInterval)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if err := parts.crls(time.Now()); err != nil {
						log.Warn().Err(err).Msg("reloading CRLs")
					}
				}
			}
		}()
	})
}
