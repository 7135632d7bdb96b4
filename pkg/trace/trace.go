// Package trace carries W3C Trace Context (`traceparent`) through the
// pipeline: a gateway may set it on `mako.ingest.<tenant>`; otherwise ingest
// starts a trace. The commands, the committed events and the outbox messages
// of that interchange carry child spans of the same trace, so one trace id
// follows a message from ingest to delivery (seed: trace_ctx).
package trace

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
)

// Header is the W3C header name.
const Header = "traceparent"

// Parent is a parsed traceparent: version 00, trace id, parent (span) id
// and flags.
type Parent struct {
	TraceID string // 32 lower-case hex digits, not all zero
	SpanID  string // 16 lower-case hex digits, not all zero
	Flags   string // 2 hex digits; "01" = sampled
}

// Parse reads "00-<trace id>-<span id>-<flags>" (W3C Trace Context §3.2).
func Parse(s string) (Parent, error) {
	parts := strings.Split(strings.TrimSpace(s), "-")
	if len(parts) != 4 || parts[0] != "00" || !hexOf(parts[1], 32) || !hexOf(parts[2], 16) || !hexOf(parts[3], 2) ||
		parts[1] == strings.Repeat("0", 32) || parts[2] == strings.Repeat("0", 16) {
		return Parent{}, fmt.Errorf("trace: invalid traceparent %q", s)
	}
	return Parent{TraceID: parts[1], SpanID: parts[2], Flags: parts[3]}, nil
}

func hexOf(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// String renders the traceparent header value.
func (p Parent) String() string { return "00-" + p.TraceID + "-" + p.SpanID + "-" + p.Flags }

// New starts a new sampled trace with a random trace and span id.
func New() Parent {
	return Parent{TraceID: randHex(16), SpanID: randHex(8), Flags: "01"}
}

// Child returns a new span of the same trace.
func (p Parent) Child() Parent {
	return Parent{TraceID: p.TraceID, SpanID: randHex(8), Flags: p.Flags}
}

// ContinueOrStart parses header and returns a child span of it, or a new
// trace when the header is empty or invalid.
func ContinueOrStart(header string) Parent {
	if p, err := Parse(header); err == nil {
		return p.Child()
	}
	return New()
}

// TraceID returns the trace id of a traceparent header value, "" if invalid.
func TraceID(header string) string {
	p, err := Parse(header)
	if err != nil {
		return ""
	}
	return p.TraceID
}

func randHex(n int) string {
	b := make([]byte, n)
	for {
		_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
		for _, c := range b {
			if c != 0 {
				return hex.EncodeToString(b)
			}
		}
	}
}
