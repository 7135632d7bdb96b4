package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type loginData struct {
	Next     string
	Password bool
	OIDC     bool
	Error    string
}

// safeNext keeps a post-login target on this site.
func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.Contains(n, "\\") {
		return "/"
	}
	return n
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if s.auth == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	d := loginData{Next: safeNext(r.URL.Query().Get("next")), Password: s.auth.HasPasswordLogin(), OIDC: s.auth.HasOIDC()}
	if r.URL.Query().Get("fehler") != "" {
		d.Error = "Anmeldung fehlgeschlagen."
	}
	s.render(w, r, http.StatusOK, "login", "Anmeldung", "", d)
}

// loginPost checks user and password. The login form carries no CSRF
// token (there is no session yet); SameSite cookies and the Origin check
// keep other sites from logging a browser in.
func (s *Server) loginPost(w http.ResponseWriter, r *http.Request) {
	if s.auth == nil || !s.auth.HasPasswordLogin() {
		http.NotFound(w, r)
		return
	}
	if !sameOrigin(r) {
		http.Error(w, "Anmeldung nur von dieser Seite", http.StatusForbidden)
		return
	}
	next := safeNext(r.PostFormValue("next"))
	p, ok := s.auth.CheckPassword(r.PostFormValue("benutzer"), r.PostFormValue("passwort"))
	if !ok {
		// The attempted name is not logged: it may be a mistyped password.
		s.log.Warn().Str("remote", r.RemoteAddr).Msg("console: failed login")
		http.Redirect(w, r, "/login?fehler=1&next="+urlQueryEscape(next), http.StatusSeeOther)
		return
	}
	s.auth.startSession(w, p)
	s.log.Info().Str("user", p.Name).Msg("console: login")
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// sameOrigin reports whether a browser request came from this site (the
// Origin header, when present, names the request's host).
func sameOrigin(r *http.Request) bool {
	if sfs := r.Header.Get("Sec-Fetch-Site"); sfs != "" && sfs != "same-origin" && sfs != "none" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if s.auth != nil {
		s.auth.endSession(w)
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// tokenPost issues a bearer token for the read API to a users-file user
// (form fields benutzer, passwort, or HTTP Basic authentication):
// {"token": "…", "expires_at": "RFC 3339"}.
func (s *Server) tokenPost(w http.ResponseWriter, r *http.Request) {
	if s.auth == nil || !s.auth.HasPasswordLogin() {
		writeJSONError(w, http.StatusNotFound, "no users file configured")
		return
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		user, pass = r.PostFormValue("benutzer"), r.PostFormValue("passwort")
	}
	p, ok := s.auth.CheckPassword(user, pass)
	if !ok {
		writeJSONError(w, http.StatusUnauthorized, "wrong user or password")
		return
	}
	tok, exp := s.auth.IssueToken(p)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]string{"token": tok, "expires_at": exp.UTC().Format(time.RFC3339)})
}

// oidcStart sends the browser to the provider with a fresh state and
// nonce, kept in a short-lived signed cookie.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	if s.auth == nil || s.auth.oidc == nil {
		http.NotFound(w, r)
		return
	}
	state, nonce := randomID(), randomID()
	next := safeNext(r.URL.Query().Get("next"))
	v := s.auth.sign(session{Principal: Principal{Name: state + " " + nonce + " " + next}, Exp: s.auth.now().Add(10 * time.Minute).Unix(), Kind: "o"})
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: v, Path: "/auth/oidc", MaxAge: 600, HttpOnly: true,
		Secure: s.auth.secure, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, s.auth.oidc.authURL(state, nonce), http.StatusFound)
}

// oidcCallback completes the login: state must match the cookie, the code
// is exchanged and the ID token verified (signature, issuer, audience,
// expiry, nonce).
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if s.auth == nil || s.auth.oidc == nil {
		http.NotFound(w, r)
		return
	}
	c, err := r.Cookie(stateCookie)
	if err != nil {
		http.Redirect(w, r, "/login?fehler=1", http.StatusSeeOther)
		return
	}
	st, ok := s.auth.verify(c.Value, "o")
	parts := strings.SplitN(st.Name, " ", 3)
	if !ok || len(parts) != 3 || !constantEqual(parts[0], r.URL.Query().Get("state")) {
		s.log.Warn().Msg("console: OIDC callback with a wrong state")
		http.Redirect(w, r, "/login?fehler=1", http.StatusSeeOther)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: "/auth/oidc", MaxAge: -1, HttpOnly: true, Secure: s.auth.secure, SameSite: http.SameSiteLaxMode})
	p, err := s.auth.oidc.exchange(r.Context(), r.URL.Query().Get("code"), parts[1])
	if err != nil {
		s.log.Warn().Err(err).Msg("console: OIDC login failed")
		http.Redirect(w, r, "/login?fehler=1", http.StatusSeeOther)
		return
	}
	s.auth.startSession(w, p)
	s.log.Info().Str("user", p.Name).Msg("console: OIDC login")
	http.Redirect(w, r, safeNext(parts[2]), http.StatusSeeOther)
}
