package console_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/console"
)

// Without authentication (the loopback default) the console serves the
// local operator, but only for requests addressed to the host itself (no
// DNS rebinding), and still wants the CSRF token on actions.
func TestOpenModeLoopbackOnly(t *testing.T) {
	c, err := console.New(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := c.Handler()
	for host, want := range map[string]int{"127.0.0.1:8080": 200, "localhost:8080": 200, "[::1]:8080": 200, "evil.example:8080": 403, "10.0.0.1:8080": 403} {
		req := httptest.NewRequest(http.MethodGet, "/static/console.css", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %s: %d, want %d", host, rec.Code, want)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/klaerfaelle/nb/1/zuweisen", strings.NewReader("bearbeiter=x"))
	req.Host = "127.0.0.1:8080"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("action without CSRF token in open mode: %d", rec.Code)
	}
	req = httptest.NewRequest(http.MethodGet, "/login", nil)
	req.Host = "127.0.0.1:8080"
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Errorf("login page without auth: %d, want a redirect to /", rec.Code)
	}
}
