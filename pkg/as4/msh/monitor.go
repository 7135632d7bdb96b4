package msh

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/partner"
)

// DefaultExpiryWarning is how long before a certificate's end the alarm starts: 14 days, a
// little more than the 10 working days by which RzÜ §5.3 wants successors available.
const DefaultExpiryWarning = 14 * 24 * time.Hour

// Monitor watches certificate lifetimes (own and partners') and CRL freshness (as4.md §8,
// §15): it exposes them as gauges and logs a warning for each certificate expiring within the
// warning period and each stale CRL. Build it with NewMonitor; call Sweep or Run.
type Monitor struct {
	ids      *Identities
	trust    *Trust
	partners partner.Store
	tenants  []string
	warn     time.Duration
	log      zerolog.Logger

	expiry   *prometheus.GaugeVec
	expiring *prometheus.GaugeVec
	stale    *prometheus.GaugeVec
	staleFor *prometheus.GaugeVec
}

// Alert is one alarm found by Sweep.
type Alert struct {
	// Kind is "certificate_expiring" or "crl_stale".
	Kind string
	// Subject names the certificate (owner, MP-ID, use, serial) or the CRL issuer.
	Subject string
	// Detail says when it expires or how long the CRL is stale.
	Detail string
}

// NewMonitor returns a monitor registered with reg (nil: not exported). tenants are the tenants
// whose partner data is read; warn is the expiry warning period (0: DefaultExpiryWarning).
func NewMonitor(reg prometheus.Registerer, ids *Identities, trust *Trust, partners partner.Store, tenants []string, warn time.Duration, log zerolog.Logger) (*Monitor, error) {
	if warn <= 0 {
		warn = DefaultExpiryWarning
	}
	m := &Monitor{ids: ids, trust: trust, partners: partners, tenants: tenants, warn: warn, log: log}
	certLabels := []string{"owner", "tenant", "mp_id", "use", "serial"}
	m.expiry = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "mako", Name: "as4_certificate_expiry_seconds",
		Help: "Seconds until an AS4 certificate (own or a partner's) expires; negative when expired."}, certLabels)
	m.expiring = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "mako", Name: "as4_certificate_expiring",
		Help: "1 when an AS4 certificate expires within the warning period (alarm), else 0."}, certLabels)
	m.stale = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "mako", Name: "as4_crl_stale",
		Help: "1 when the CRL of an SM-PKI CA is past its nextUpdate (alarm; distrusted after the grace period), else 0."}, []string{"issuer"})
	m.staleFor = prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "mako", Name: "as4_crl_stale_seconds",
		Help: "Seconds a CA's CRL is past its nextUpdate (0 when fresh)."}, []string{"issuer"})
	if reg != nil {
		for _, c := range []prometheus.Collector{m.expiry, m.expiring, m.stale, m.staleFor} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("as4/msh: monitor metrics: %w", err)
			}
		}
	}
	return m, nil
}

// Sweep recomputes the gauges at the trust's clock, logs and returns the alarms.
func (m *Monitor) Sweep(ctx context.Context) []Alert {
	now := m.trust.now()
	var alerts []Alert
	m.expiry.Reset()
	m.expiring.Reset()
	cert := func(owner, tenant, mpID, use string, c *smpki.Certificate) {
		l := prometheus.Labels{"owner": owner, "tenant": tenant, "mp_id": mpID, "use": use, "serial": c.SerialNumber.String()}
		m.expiry.With(l).Set(c.NotAfter.Sub(now).Seconds())
		v := 0.0
		if c.ExpiresWithin(now, m.warn) {
			v = 1
			a := Alert{Kind: "certificate_expiring", Subject: fmt.Sprintf("%s %s %s certificate %s (%s)", owner, mpID, use, c.SerialNumber, c.Subject.CommonName),
				Detail: "not after " + c.NotAfter.UTC().Format(time.RFC3339)}
			alerts = append(alerts, a)
			m.log.Warn().Str("owner", owner).Str("tenant", tenant).Str("mp_id", mpID).Str("use", use).Str("serial", c.SerialNumber.String()).
				Time("not_after", c.NotAfter).Msg("AS4 certificate expires soon or has expired: roll over")
		}
		m.expiring.With(l).Set(v)
	}
	for _, id := range m.ids.All() {
		for i, c := range id.Certificates {
			use := "encryption"
			if i == 0 {
				use = "signing"
			}
			cert("own", "", id.MPID, use, c)
		}
	}
	if m.partners != nil {
		for _, t := range m.tenants {
			ents, err := m.partners.List(ctx, t)
			if err != nil {
				m.log.Warn().Err(err).Str("tenant", t).Msg("AS4 monitor: partner data unavailable")
				continue
			}
			for _, e := range ents {
				for _, ch := range e.Partner.Channels {
					if ch.Transport != partner.TransportAS4 || ch.AS4 == nil {
						continue
					}
					for use, list := range map[string][]string{"encryption": ch.AS4.EncryptionCerts, "signing": ch.AS4.SigningCerts} {
						for _, p := range list {
							if cs, err := ParseCertificates(p); err == nil {
								cert("partner", t, e.Partner.MPID, use, cs[0])
							}
						}
					}
				}
			}
		}
	}
	m.stale.Reset()
	m.staleFor.Reset()
	if m.trust.CRLs != nil {
		for _, h := range m.trust.CRLs.Health(now) {
			issuer := h.Issuer.Subject.CommonName
			v := 0.0
			if h.Stale {
				v = 1
				state := "stale"
				if h.Distrusted {
					state = "stale beyond the grace period: CA distrusted"
				}
				alerts = append(alerts, Alert{Kind: "crl_stale", Subject: "CRL of " + issuer, Detail: fmt.Sprintf("%s for %s", state, h.StaleFor.Round(time.Second))})
				m.log.Warn().Str("issuer", issuer).Dur("stale_for", h.StaleFor).Bool("distrusted", h.Distrusted).Msg("SM-PKI CRL is stale: fetch a fresh one")
			}
			m.stale.WithLabelValues(issuer).Set(v)
			m.staleFor.WithLabelValues(issuer).Set(h.StaleFor.Seconds())
		}
	}
	return alerts
}

// Run sweeps every interval (default 1 h) until ctx ends.
func (m *Monitor) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = time.Hour
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		m.Sweep(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// String summarizes an alert.
func (a Alert) String() string { return strings.Join([]string{a.Kind, a.Subject, a.Detail}, ": ") }
