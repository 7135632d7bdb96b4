package deliverer

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/outbox"
)

// HTTP request headers of the http transport. The outbox headers keep their
// names (pkg/wire/outbox); the idempotency key follows the IETF HTTPAPI
// "Idempotency-Key" header draft.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	// ContentTypeEDIFACT is the media type of the body (RFC 1767).
	ContentTypeEDIFACT = "application/EDIFACT"
)

// RemoteIDHeaders are the response headers, in order, whose first non-empty
// value becomes Receipt.RemoteID.
var remoteIDHeaders = []string{"X-Message-Id", "Message-Id", "Location"}

// permanentHTTPStatus are answers that refuse the interchange itself: a
// retry sends the same bytes and gets the same answer. Everything else
// (5xx, 408, 425, 429, 401/403/404 — configuration an operator can fix —
// and 409) is retried within the window.
var permanentHTTPStatus = []int{
	http.StatusBadRequest,
	http.StatusRequestEntityTooLarge,
	http.StatusUnsupportedMediaType,
	http.StatusUnprocessableEntity,
}

// HTTPTransport POSTs the raw interchange to the channel's URL, the way
// gateways such as an AS4 connector's REST API take messages. 2xx means
// accepted. TLS uses the channel's optional client certificate and CA
// bundle; clients are cached per TLS setting (and the files' modification
// times, so a rotated certificate is picked up).
type HTTPTransport struct {
	mu      sync.Mutex
	clients map[string]*http.Client
}

// NewHTTPTransport returns the http transport.
func NewHTTPTransport() *HTTPTransport {
	return &HTTPTransport{clients: map[string]*http.Client{}}
}

// Kind implements Transport.
func (t *HTTPTransport) Kind() partner.Transport { return partner.TransportHTTP }

// Send implements Transport.
func (t *HTTPTransport) Send(ctx context.Context, d Delivery) (Receipt, error) {
	m := d.Message
	fail := func(permanent bool, r Receipt, err error) (Receipt, error) {
		return Receipt{}, &SendError{Transport: partner.TransportHTTP, Recipient: m.Recipient, Permanent: permanent, Receipt: r, Err: err}
	}
	client, err := t.Client(d.Channel)
	if err != nil {
		return fail(false, Receipt{}, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Channel.URL, bytes.NewReader(m.Payload))
	if err != nil {
		return fail(false, Receipt{}, fmt.Errorf("request: %w", err))
	}
	h := req.Header
	h.Set("Content-Type", ContentTypeEDIFACT)
	h.Set(HeaderIdempotencyKey, m.ID)
	h.Set(outbox.HeaderMessageID, m.ID)
	setIf(h, outbox.HeaderMessageType, m.MessageType)
	setIf(h, outbox.HeaderSender, m.Sender)
	setIf(h, outbox.HeaderRecipient, m.Recipient)
	setIf(h, outbox.HeaderInterchangeRef, m.InterchangeRef)
	setIf(h, outbox.HeaderTraceParent, m.TraceParent)
	resp, err := client.Do(req)
	if err != nil {
		return fail(false, Receipt{}, fmt.Errorf("POST %s: %w", d.Channel.URL, err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxBodyExcerpt))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // let the connection be reused
	r := Receipt{Status: resp.Status, Body: strings.TrimSpace(string(body))}
	for _, k := range remoteIDHeaders {
		if v := resp.Header.Get(k); v != "" {
			r.RemoteID = v
			break
		}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fail(slices.Contains(permanentHTTPStatus, resp.StatusCode), r, fmt.Errorf("POST %s: %s", d.Channel.URL, resp.Status))
	}
	return r, nil
}

func setIf(h http.Header, k, v string) {
	if v != "" {
		h.Set(k, v)
	}
}

// Client returns the cached client for the channel's TLS settings (CertFile,
// KeyFile, CAFile); other transports over HTTP (as4) share it.
func (t *HTTPTransport) Client(c partner.Channel) (*http.Client, error) {
	key := c.CertFile + "|" + c.KeyFile + "|" + c.CAFile
	for _, f := range []string{c.CertFile, c.KeyFile, c.CAFile} {
		if f == "" {
			continue
		}
		st, err := os.Stat(f)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		key += "|" + st.ModTime().String()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if cl, ok := t.clients[key]; ok {
		return cl, nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls: client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("tls: CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("tls: CA file holds no PEM certificate")
		}
		tc.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	// The deliverer bounds every request with the channel's timeout
	// (context); the client has none of its own.
	cl := &http.Client{Transport: tr}
	// Old entries of rotated files are few; drop their idle connections.
	for k, old := range t.clients {
		if strings.HasPrefix(k, c.CertFile+"|"+c.KeyFile+"|"+c.CAFile+"|") {
			old.CloseIdleConnections()
			delete(t.clients, k)
		}
	}
	t.clients[key] = cl
	return cl, nil
}
