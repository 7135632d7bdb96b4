package metrics

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one readiness check; it returns nil when ready.
type Check func(ctx context.Context) error

// Health holds the readiness checks of a worker process. Add checks before
// serving; the zero value has none (and is ready).
type Health struct {
	mu     sync.Mutex
	checks map[string]Check
}

// Add registers a named readiness check.
func (h *Health) Add(name string, c Check) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.checks == nil {
		h.checks = map[string]Check{}
	}
	h.checks[name] = c
}

// Ready runs every check and returns the failures by name.
func (h *Health) Ready(ctx context.Context) map[string]string {
	h.mu.Lock()
	checks := make(map[string]Check, len(h.checks))
	for k, v := range h.checks {
		checks[k] = v
	}
	h.mu.Unlock()
	failed := map[string]string{}
	for name, c := range checks {
		if err := c(ctx); err != nil {
			failed[name] = err.Error()
		}
	}
	return failed
}

// Mount adds /metrics, /healthz and /readyz to mux. /healthz answers 200
// while the process runs; /readyz answers 200 when every check passes and
// 503 with the failures as JSON otherwise.
func (m *Metrics) Mount(mux *http.ServeMux, h *Health) {
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"alive"}`))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		failed := h.Ready(ctx)
		w.Header().Set("Content-Type", "application/json")
		if len(failed) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]any{"status": "not ready", "failed": failed})
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"status": "ready"})
	})
}
