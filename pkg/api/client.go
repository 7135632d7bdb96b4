package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/workers/readmodel"
)

// DefaultURL is the read API of a local cmd/makod or cmd/projector.
const DefaultURL = "http://127.0.0.1:8080"

// Error is an error answer of the API (or a transport failure, Status 0).
type Error struct {
	// Status is the HTTP status code; 0 if no answer arrived.
	Status int
	// Message is the server's error text.
	Message string
	// URL is the request URL.
	URL string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("api: %s: %s", e.URL, e.Message)
	}
	return fmt.Sprintf("api: %s: %d %s", e.URL, e.Status, e.Message)
}

// Client calls the read API. The zero value is not usable; use NewClient.
type Client struct {
	base  *url.URL
	http  *http.Client
	token string
}

// ClientOption configures a Client.
type ClientOption func(*Client)

// WithHTTPClient sets the HTTP client (default: 30 s timeout).
func WithHTTPClient(h *http.Client) ClientOption { return func(c *Client) { c.http = h } }

// WithBearerToken sends "Authorization: Bearer <token>" with every request
// (a read API that requires authentication: docs/console.md).
func WithBearerToken(token string) ClientOption { return func(c *Client) { c.token = token } }

// NewClient returns a client for the API at base (e.g. DefaultURL).
func NewClient(base string, opts ...ClientOption) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("api: base URL %q: want http(s)://host[:port]", base)
	}
	c := &Client{base: u, http: &http.Client{Timeout: 30 * time.Second}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

func (c *Client) get(ctx context.Context, path string, q url.Values, v any) error {
	u := *c.base
	u.Path += path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return &Error{URL: u.String(), Message: err.Error()}
	}
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return &Error{URL: u.String(), Message: err.Error()}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return &Error{URL: u.String(), Status: resp.StatusCode, Message: "read answer: " + err.Error()}
	}
	if resp.StatusCode != http.StatusOK {
		var eb ErrorBody
		msg := strings.TrimSpace(string(body))
		if json.Unmarshal(body, &eb) == nil && eb.Error != "" {
			msg = eb.Error
		}
		return &Error{URL: u.String(), Status: resp.StatusCode, Message: msg}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{URL: u.String(), Status: resp.StatusCode, Message: "decode answer: " + err.Error()}
	}
	return nil
}

func set(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

// Processes calls GET /v1/processes.
func (c *Client) Processes(ctx context.Context, pq readmodel.ProcessQuery) (ProcessList, error) {
	q := url.Values{}
	set(q, "tenant", pq.Tenant)
	set(q, "workflow", pq.Workflow)
	set(q, "state", pq.State)
	set(q, "malo", pq.MaLo)
	set(q, "cursor", pq.Cursor)
	if pq.Limit != 0 {
		q.Set("limit", strconv.Itoa(pq.Limit))
	}
	var out ProcessList
	return out, c.get(ctx, "/v1/processes", q, &out)
}

// Process calls GET /v1/processes/{id}; tenant may be empty.
func (c *Client) Process(ctx context.Context, tenant, id string) (ProcessDetail, error) {
	q := url.Values{}
	set(q, "tenant", tenant)
	var out ProcessDetail
	return out, c.get(ctx, "/v1/processes/"+url.PathEscape(id), q, &out)
}

// Deadlines calls GET /v1/deadlines; a zero dueBefore lists all open ones.
func (c *Client) Deadlines(ctx context.Context, tenant string, dueBefore time.Time) (DeadlineList, error) {
	q := url.Values{}
	set(q, "tenant", tenant)
	if !dueBefore.IsZero() {
		q.Set("due_before", dueBefore.Format(time.RFC3339))
	}
	var out DeadlineList
	return out, c.get(ctx, "/v1/deadlines", q, &out)
}

// DeadLetters calls GET /v1/deadletters.
func (c *Client) DeadLetters(ctx context.Context, dq readmodel.DeadLetterQuery) (DeadLetterList, error) {
	q := url.Values{}
	set(q, "tenant", dq.Tenant)
	set(q, "reason", dq.Reason)
	if dq.Limit != 0 {
		q.Set("limit", strconv.Itoa(dq.Limit))
	}
	var out DeadLetterList
	return out, c.get(ctx, "/v1/deadletters", q, &out)
}

// Key calls GET /v1/keys: the processes bound to a business key.
func (c *Client) Key(ctx context.Context, tenant, kind, value string) (readmodel.KeyEntry, error) {
	q := url.Values{}
	set(q, "tenant", tenant)
	set(q, "kind", kind)
	set(q, "value", value)
	var out readmodel.KeyEntry
	return out, c.get(ctx, "/v1/keys", q, &out)
}
