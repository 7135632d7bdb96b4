// Package partner holds trading-partner master data: who a market partner
// is (MP-ID, display name, market roles, contacts) and how mako reaches it
// (its channels: the transport and its settings).
//
// Records are tenant-scoped and keyed by the partner's MP-ID. The NATS
// implementation keeps them as JSON values in KV bucket `mako_partners`
// under the key `<tenant>.<MP-ID>`, so an operator can read one with
// `nats kv get mako_partners nb.9900000000004`. Records are maintained with
// `mako partner set|get|list|rm`; later they will also be fed from PARTIN
// messages (seed.md, partner).
package partner

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/engine"
)

// Transport names how a channel reaches the partner.
type Transport string

// Transports the deliverer implements. Other kinds (for example "email",
// as PARTIN will provide) may be stored; the deliverer skips channels whose
// transport it does not know.
const (
	// TransportHTTP POSTs the raw interchange to a gateway URL.
	TransportHTTP Transport = "http"
	// TransportFile writes the interchange into a directory of a file-based gateway.
	TransportFile Transport = "file"
	// TransportNATS republishes the interchange to a NATS subject (JetStream ack).
	TransportNATS Transport = "nats"
	// TransportAS4 sends the interchange as a BDEW AS4 message to URL
	// (pkg/as4/msh); Channel.AS4 holds the partner's AS4 data.
	TransportAS4 Transport = "as4"
)

// Errors returned (wrapped) by this package.
var (
	// ErrInvalid reports a record, tenant or MP-ID that cannot be stored.
	ErrInvalid = errors.New("partner: invalid")
	// ErrNotFound reports that no record exists for the tenant and MP-ID.
	ErrNotFound = errors.New("partner: not found")
	// ErrConflict reports a failed optimistic-concurrency condition: the
	// record exists although IfAbsent was given, or its revision is not the
	// one IfRevision named.
	ErrConflict = errors.New("partner: revision conflict")
)

// Duration is a time.Duration that reads and writes JSON as a Go duration
// string ("30s", "1m30s"), so operators can read and edit it.
type Duration time.Duration

// MarshalJSON writes d as a duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string (or a number of nanoseconds).
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return fmt.Errorf("duration: want a string like \"30s\": %w", err)
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// Channel is one way to reach a partner. Which fields apply depends on
// Transport; the others stay empty.
type Channel struct {
	// Transport is the kind of channel: http, file, nats (or another kind
	// the deliverer does not implement yet).
	Transport Transport `json:"transport"`
	// URL is the gateway endpoint (http): http:// or https://.
	URL string `json:"url,omitempty"`
	// CertFile and KeyFile are the PEM client certificate and key for
	// mutual TLS (http, optional; both or neither).
	CertFile string `json:"cert_file,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`
	// CAFile is a PEM bundle of CAs that verify the gateway's certificate
	// (http, optional; default: the system roots).
	CAFile string `json:"ca_file,omitempty"`
	// Timeout bounds one send (http, nats; default chosen by the deliverer).
	Timeout Duration `json:"timeout,omitempty"`
	// Dir is the target directory (file).
	Dir string `json:"dir,omitempty"`
	// FilePattern overrides the file name pattern (file, optional; see
	// package deliverer for the placeholders).
	FilePattern string `json:"file_pattern,omitempty"`
	// Subject is the NATS subject to publish to (nats), e.g.
	// "mako.ingest.lf" to hand the interchange to another tenant.
	Subject string `json:"subject,omitempty"`
	// AS4 is the partner's AS4 data (as4): certificates and relationship
	// state; URL is the partner's AS4 endpoint. Checked in depth by
	// pkg/as4/msh, which parses the certificates.
	AS4 *AS4 `json:"as4,omitempty"`
}

// AS4 is the AS4 data of a partner (as4.md §8, §9, §15): the certificates
// agreed with the partner (RzÜ §2) as PEM, each list holding the current
// certificate and its successor during a rollover (validity comes from the
// certificates), and the state of the AS4 relationship.
type AS4 struct {
	// PartyType is the PartyId type to address the partner with (default:
	// by the MP-ID's prefix, pkg/as4/msh.PartyTypeFor).
	PartyType string `json:"party_type,omitempty"`
	// EncryptionCerts are PEM certificates of the partner's encryption key;
	// the sender uses the valid one issued last (RzÜ §5.3: a successor may be
	// used at once).
	EncryptionCerts []string `json:"encryption_certs,omitempty"`
	// SigningCerts, when set, pin the partner's signature certificates: an
	// inbound message signed with another (valid SM-PKI) certificate is
	// refused. Empty: any valid EMT.MAK certificate with the partner's MP-ID.
	SigningCerts []string `json:"signing_certs,omitempty"`
	// Relationship is the path-switch state (Profil §2.3.7): "confirmed"
	// (business messages flow both ways), "requested" or "" (none yet: only
	// test and path-switch messages).
	Relationship string `json:"relationship,omitempty"`
}

// AS4 relationship states.
const (
	RelationshipRequested = "requested"
	RelationshipConfirmed = "confirmed"
)

// Contact is a person or desk at the partner.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Role  string `json:"role,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Partner is the master data of one market partner as seen by one tenant.
type Partner struct {
	// MPID is the partner's 13-digit market partner id (the key).
	MPID string `json:"mp_id"`
	// Name is the display name.
	Name string `json:"name,omitempty"`
	// Roles are the partner's market roles (BDEW Rollenmodell, e.g. "LF", "NB").
	Roles []string `json:"roles,omitempty"`
	// Channels are the ways to reach the partner, preferred first.
	Channels []Channel `json:"channels,omitempty"`
	// Contacts are people or desks at the partner.
	Contacts []Contact `json:"contacts,omitempty"`
	// UpdatedAt is set by the store on every Put.
	UpdatedAt time.Time `json:"updated_at"`
}

// Entry is a stored record with its revision (the optimistic-concurrency
// token for IfRevision).
type Entry struct {
	Tenant   string
	Partner  Partner
	Revision uint64
}

// ValidateTenant checks that tenant is a tenant id ([a-z0-9][a-z0-9_-]{0,63}).
func ValidateTenant(tenant string) error {
	if err := engine.TenantID(tenant).Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// ValidateMPID checks a market partner id (13 digits with a valid check
// digit, pkg/edifact/ident).
func ValidateMPID(mpid string) error {
	if err := ident.ValidateMPID(mpid); err != nil {
		return fmt.Errorf("%w: MP-ID: %v", ErrInvalid, err)
	}
	return nil
}

// Validate checks the record: a valid MP-ID, role tokens, and channels whose
// settings fit their transport (unknown transports only need a name).
func (p Partner) Validate() error {
	if err := ValidateMPID(p.MPID); err != nil {
		return err
	}
	for _, r := range p.Roles {
		if r == "" || strings.ContainsAny(r, " \t\r\n,") {
			return fmt.Errorf("%w: partner %s: role %q", ErrInvalid, p.MPID, r)
		}
	}
	for i, c := range p.Channels {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("%w: partner %s: channel %d: %v", ErrInvalid, p.MPID, i, err)
		}
	}
	return nil
}

// Validate checks that c's settings fit its transport.
func (c Channel) Validate() error {
	if !validKind(string(c.Transport)) {
		return fmt.Errorf("transport %q: want a name like http, file or nats", c.Transport)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("negative timeout %s", time.Duration(c.Timeout))
	}
	switch c.Transport {
	case TransportHTTP:
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("http: url %q: want http(s)://host/…", c.URL)
		}
		if (c.CertFile == "") != (c.KeyFile == "") {
			return errors.New("http: client certificate and key go together")
		}
	case TransportFile:
		if c.Dir == "" {
			return errors.New("file: no directory")
		}
	case TransportNATS:
		if !validSubject(c.Subject) {
			return fmt.Errorf("nats: subject %q: want tokens without wildcards or spaces", c.Subject)
		}
	case TransportAS4:
		u, err := url.Parse(c.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("as4: url %q: want https://host/…", c.URL)
		}
		if c.AS4 == nil || len(c.AS4.EncryptionCerts) == 0 {
			return errors.New("as4: no encryption certificate")
		}
		if r := c.AS4.Relationship; r != "" && r != RelationshipRequested && r != RelationshipConfirmed {
			return fmt.Errorf("as4: relationship %q: want requested or confirmed", r)
		}
	}
	return nil
}

func validKind(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0) {
			return false
		}
	}
	return true
}

func validSubject(s string) bool {
	if s == "" || strings.ContainsAny(s, "*> \t\r\n") {
		return false
	}
	for _, t := range strings.Split(s, ".") {
		if t == "" {
			return false
		}
	}
	return true
}

// Key returns the KV key of a partner record: `<tenant>.<MP-ID>`.
func Key(tenant, mpid string) string { return tenant + "." + mpid }

// Encode returns the JSON value of p as stored in the bucket.
func Encode(p Partner) ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("partner: encode %s: %w", p.MPID, err)
	}
	return b, nil
}

// Decode reads a stored JSON value. Unknown fields are ignored, so records
// written by a newer version stay readable.
func Decode(b []byte) (Partner, error) {
	var p Partner
	if err := json.Unmarshal(b, &p); err != nil {
		return Partner{}, fmt.Errorf("partner: decode: %w", err)
	}
	return p, nil
}
