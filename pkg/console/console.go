// Package console is the operator console of mako-engine: server-rendered
// pages (html/template, htmx vendored under static/, everything embedded)
// for the clerks who clear the exceptions of market communication.
//
//	/                     Überblick: processes by state, family and PID,
//	                      messages per hour, deadlines, Klärfälle, delivery
//	                      backlog, consumer lag (refreshes itself)
//	/vorgaenge?q=…        Vorgänge: search by MaLo, MP-ID, PID, process id,
//	                      state, date range, tenant; paginated
//	/vorgaenge/{id}       Vorgang: the timeline with every event and message
//	                      (EDIFACT segment by segment), deadlines, ERP
//	                      events, dead letters and their actions
//	/klaerfaelle          Klärfälle: the dead letters; re-drive, discard,
//	                      assign (recorded on mako.dlq.<tenant>.action)
//	/partner, /stammdaten partner channels and MaLo master data (audited on
//	                      mako.audit.<tenant>.…)
//
// Everything shown comes from the read models (pkg/workers/readmodel), the event
// history (MAKO_EVENTS), the raw inbound bytes (MAKO_INGEST), the dead
// letters (MAKO_DLQ) and the partner and master-data buckets; the console
// keeps no state of its own. It is mounted on the read API's listener
// together with the JSON API (Server.Mount), behind Auth when
// authentication is configured; without it, it serves the local operator
// (the listener must then be on a loopback address: RequireAuth).
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Europe/Berlin on hosts without a zoneinfo database

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/rs/zerolog"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Tenant is a tenant of the deployment as the console shows it.
type Tenant struct {
	ID string
	// MPIDs are the tenant's market partner ids (search by MP-ID, the
	// direction of messages).
	MPIDs []string
}

// Server serves the console. Build it with New; mount it with Mount.
type Server struct {
	js       jetstream.JetStream
	store    *readmodel.Store
	events   engine.EventStore
	defs     engine.Resolver
	storeMu  sync.Mutex // guards partners and malos, bound on first use
	partners partner.Store
	malos    malo.Store
	api      http.Handler
	auth     *Auth
	tenants  []Tenant
	cal      *fristen.Calendar
	loc      *time.Location
	log      zerolog.Logger
	now      func() time.Time
	timeout  time.Duration
	tmpl     map[string]*template.Template
	// openKey signs the CSRF token of the local operator (no Auth).
	openKey []byte
}

// Option configures a Server.
type Option func(*Server)

// WithAuth requires authentication (see Auth). Without it every request
// is the local operator with every tenant, which is only acceptable on a
// loopback listener (RequireAuth).
func WithAuth(a *Auth) Option { return func(s *Server) { s.auth = a } }

// WithTenants names the deployment's tenants (ids and MP-IDs).
func WithTenants(ts ...Tenant) Option {
	return func(s *Server) { s.tenants = append(s.tenants, ts...) }
}

// WithAPI mounts the JSON read API (pkg/api) behind the same
// authentication, scoped to the caller's tenants.
func WithAPI(h http.Handler) Option { return func(s *Server) { s.api = h } }

// WithLogger sets the logger. Customer data (names, addresses) is never
// logged; requests are logged with path and user only.
func WithLogger(l zerolog.Logger) Option { return func(s *Server) { s.log = l } }

// WithClock sets the clock of "today", remaining Werktage and action
// timestamps (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithStores sets the partner and master-data stores (default: the NATS
// stores on buckets mako_partners and mako_malo).
func WithStores(p partner.Store, m malo.Store) Option {
	return func(s *Server) { s.partners, s.malos = p, m }
}

// New returns a console reading through js: the read models, the event
// store events (decoded with defs, usually the *engine.Engine) and
// the partner and master-data buckets.
func New(js jetstream.JetStream, events engine.EventStore, defs engine.Resolver, opts ...Option) (*Server, error) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	s := &Server{js: js, store: readmodel.NewStore(js), events: events, defs: defs, cal: fristen.Default(), loc: loc,
		log: zerolog.Nop(), now: time.Now, timeout: 30 * time.Second, openKey: []byte(randomID() + randomID())}
	for _, o := range opts {
		o(s)
	}
	slices.SortFunc(s.tenants, func(a, b Tenant) int { return strings.Compare(a.ID, b.ID) })
	if s.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	return s, nil
}

// parseTemplates parses every page with the layout.
func parseTemplates() (map[string]*template.Template, error) {
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", p)
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", p, err)
		}
		out[name] = t
	}
	return out, nil
}

// Mount registers the console (and the JSON API given with WithAPI) on mux,
// behind the authentication.
func (s *Server) Mount(mux *http.ServeMux) {
	h := s.Handler()
	for _, p := range []string{"/", "/v1/"} {
		mux.Handle(p, h)
	}
}

// Handler returns the console (and API) with authentication applied.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginPost)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("POST /auth/token", s.tokenPost)
	mux.HandleFunc("GET /auth/oidc", s.oidcStart)
	mux.HandleFunc("GET /auth/oidc/callback", s.oidcCallback)

	mux.HandleFunc("GET /{$}", s.page(s.overview))
	mux.HandleFunc("GET /vorgaenge", s.page(s.processList))
	mux.HandleFunc("GET /vorgaenge/{id}", s.page(s.processDetail))
	mux.HandleFunc("GET /vorgaenge/{id}/rohdaten", s.page(s.processRaw))
	mux.HandleFunc("GET /klaerfaelle", s.page(s.letterList))
	mux.HandleFunc("GET /klaerfaelle/{tenant}/{seq}", s.page(s.letterDetail))
	mux.HandleFunc("GET /klaerfaelle/{tenant}/{seq}/rohdaten", s.page(s.letterRaw))
	mux.HandleFunc("POST /klaerfaelle/{tenant}/{seq}/{action}", s.page(s.letterAction))
	mux.HandleFunc("GET /partner", s.page(s.partnerList))
	mux.HandleFunc("GET /partner/{tenant}/{mpid}", s.page(s.partnerDetail))
	mux.HandleFunc("POST /partner/{tenant}/{mpid}", s.page(s.partnerSave))
	mux.HandleFunc("GET /stammdaten", s.page(s.maloList))
	mux.HandleFunc("GET /stammdaten/{tenant}/{malo}", s.page(s.maloDetail))
	mux.HandleFunc("POST /stammdaten/{tenant}/{malo}", s.page(s.maloSave))
	if s.api != nil {
		mux.Handle("/v1/", s.scopeAPI(s.api))
	}
	return s.protect(mux)
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// public paths need no login.
func public(path string) bool {
	return path == "/login" || path == "/auth/token" || strings.HasPrefix(path, "/static/") ||
		strings.HasPrefix(path, "/auth/oidc")
}

// protect authenticates every request but the public ones, checks the
// CSRF token of every state-changing request and sets security headers.
func (s *Server) protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
		if s.auth == nil && !IsLoopback(r.Host) {
			// Without login the console answers only requests addressed to
			// the host itself: a web page that rebinds its DNS name to
			// 127.0.0.1 must not reach it.
			http.Error(w, "Host nicht erlaubt (ohne Anmeldung nur 127.0.0.1/localhost)", http.StatusForbidden)
			return
		}
		if public(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		var p Principal
		var sid string
		if s.auth == nil {
			p = Principal{Name: "lokal", Tenants: []string{AllTenants}, Method: "local"}
			sid = "local"
		} else {
			var ok bool
			p, sid, ok = s.auth.authenticate(r)
			if !ok {
				if strings.HasPrefix(r.URL.Path, "/v1/") || r.Method != http.MethodGet {
					w.Header().Set("WWW-Authenticate", `Bearer realm="mako"`)
					http.Error(w, "authentication required", http.StatusUnauthorized)
					return
				}
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && sid != "" {
			// A browser request (cookie session or local operator): the
			// token must come with the form or the htmx header.
			tok := r.Header.Get("X-CSRF-Token")
			if tok == "" {
				tok = r.PostFormValue("csrf")
			}
			if !constantEqual(tok, s.csrf(sid)) {
				s.log.Warn().Str("path", r.URL.Path).Str("user", p.Name).Msg("console: request without a valid CSRF token refused")
				http.Error(w, "CSRF-Token fehlt oder ist ungültig", http.StatusForbidden)
				return
			}
		}
		r = r.WithContext(withPrincipal(withSession(r.Context(), sid), p))
		next.ServeHTTP(w, r)
	})
}

type sessionKey struct{}

func withSession(ctx context.Context, sid string) context.Context {
	return context.WithValue(ctx, sessionKey{}, sid)
}

func (s *Server) csrf(sid string) string {
	if s.auth == nil {
		return csrfToken(s.openKey, sid)
	}
	return csrfToken(s.auth.key, sid)
}

// csrfOf returns the CSRF token for the request's session.
func (s *Server) csrfOf(r *http.Request) string {
	sid, _ := r.Context().Value(sessionKey{}).(string)
	if sid == "" {
		return ""
	}
	return s.csrf(sid)
}

// tenantIDs returns the ids of the configured tenants.
func (s *Server) tenantIDs() []string {
	out := make([]string, len(s.tenants))
	for i, t := range s.tenants {
		out[i] = t.ID
	}
	return out
}

// visible returns the tenants the request's principal may see; with no
// tenants configured (a projector without --tenant), the principal's
// explicit tenants.
func (s *Server) visible(r *http.Request) []string {
	p, _ := PrincipalFrom(r.Context())
	if len(s.tenants) > 0 {
		return p.Scope(s.tenantIDs())
	}
	var out []string
	for _, t := range p.Tenants {
		if t != AllTenants {
			out = append(out, t)
		}
	}
	return out
}

// allTenantsVisible reports whether the principal sees every tenant (a
// listing may then scan all tenants at once).
func allTenantsVisible(r *http.Request) bool {
	p, _ := PrincipalFrom(r.Context())
	return slices.Contains(p.Tenants, AllTenants)
}

// allowed reports whether the request's principal may see tenant.
func allowed(r *http.Request, tenant string) bool {
	p, _ := PrincipalFrom(r.Context())
	return p.Allowed(tenant)
}

// scopeAPI restricts the JSON read API to the caller's tenants: a request
// naming another tenant is refused (403); a request naming none gets the
// caller's only tenant, or is refused if the caller has several but not
// all.
func (s *Server) scopeAPI(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := PrincipalFrom(r.Context())
		if slices.Contains(p.Tenants, AllTenants) {
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		t := q.Get("tenant")
		switch {
		case t != "" && !p.Allowed(t):
			writeJSONError(w, http.StatusForbidden, "tenant "+t+" not granted to "+p.Name)
			return
		case t == "" && len(p.Tenants) == 1:
			q.Set("tenant", p.Tenants[0])
			r2 := r.Clone(r.Context())
			r2.URL.RawQuery = q.Encode()
			r = r2
		case t == "":
			writeJSONError(w, http.StatusBadRequest, "tenant required (granted: "+strings.Join(p.Tenants, ", ")+")")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"error\":%q,\"status\":%d}\n", msg, status)
}

// page adapts a page handler: it gets the request's context bounded by the
// server's timeout, and an error it returns is answered by fail.
func (s *Server) page(h func(ctx context.Context, w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
		defer cancel()
		if err := h(ctx, w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// page is what every template gets.
type page struct {
	Title   string
	Nav     string
	User    Principal
	Auth    bool
	CSRF    string
	Tenants []string
	Now     time.Time
	Flash   string
	Error   string
	Data    any
}

// render executes a page template; an error is logged and answered 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title, nav string, data any) {
	t, ok := s.tmpl[name]
	if !ok {
		http.Error(w, "template "+name+" missing", http.StatusInternalServerError)
		return
	}
	p, _ := PrincipalFrom(r.Context())
	pg := page{Title: title, Nav: nav, User: p, Auth: s.auth != nil, CSRF: s.csrfOf(r), Tenants: s.visible(r),
		Now: s.now().In(s.loc), Flash: r.URL.Query().Get("ok"), Data: data}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout.html", pg); err != nil {
		s.log.Error().Err(err).Str("page", name).Msg("console: render")
		http.Error(w, "Seite konnte nicht erzeugt werden", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// fail answers an error page: 404 for unknown or not-granted objects (a
// user never learns whether another tenant's object exists), 400 for bad
// input, 503 when the read models are unavailable, 500 otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, errNotVisible), errors.Is(err, readmodel.ErrNotFound), errors.Is(err, partner.ErrNotFound),
		errors.Is(err, malo.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, errBadInput), errors.Is(err, readmodel.ErrInvalidQuery):
		status = http.StatusBadRequest
	case errors.Is(err, jetstream.ErrBucketNotFound), errors.Is(err, jetstream.ErrStreamNotFound),
		errors.Is(err, context.DeadlineExceeded):
		status = http.StatusServiceUnavailable
	}
	if status >= 500 {
		s.log.Error().Err(err).Str("path", r.URL.Path).Msg("console: request failed")
	}
	msg := err.Error()
	if status == http.StatusNotFound {
		msg = "Nicht gefunden (oder nicht für Ihre Mandanten freigegeben)."
	}
	s.render(w, r, status, "error", "Fehler", "", struct {
		Status  int
		Message string
	}{status, msg})
}

var (
	errNotVisible = errors.New("console: not visible to the user")
	errBadInput   = errors.New("console: bad input")
)

// IsLoopback reports whether hostport (a listen address or a Host header,
// port optional) names the local host: localhost or a loopback IP.
func IsLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RequireAuth reports an error when addr (an HTTP listen address) is not a
// loopback address and no authentication is configured: the console and
// the read API must never be reachable beyond the host without a login.
func RequireAuth(addr string, authConfigured bool) error {
	if addr == "" || authConfigured || IsLoopback(addr) {
		return nil
	}
	return fmt.Errorf("%w: --http %s is not a loopback address: configure authentication (--users FILE or --oidc-issuer …) or bind to 127.0.0.1", ErrAuthConfig, addr)
}
