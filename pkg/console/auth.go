package console

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"golang.org/x/crypto/bcrypt"
)

// Errors of the authentication setup (wrapped with the file or setting).
var (
	// ErrUsersFile: the users file cannot be read or has a malformed line.
	ErrUsersFile = errors.New("console: users file")
	// ErrAuthConfig: an authentication setting is missing or invalid.
	ErrAuthConfig = errors.New("console: auth configuration")
)

// AllTenants in a user's tenant list grants every tenant of the deployment.
const AllTenants = "*"

// User is one entry of the users file.
type User struct {
	// Name is the login name (also recorded as the actor of actions).
	Name string
	// Hash is the bcrypt hash of the password.
	Hash []byte
	// Tenants are the tenants the user may see and act for; AllTenants
	// grants every tenant.
	Tenants []string
}

// LoadUsers reads a users file: one user per line,
//
//	name:bcrypt-hash:tenant[,tenant…]
//
// ("*" as the tenant list grants every tenant); empty lines and lines
// starting with # are ignored. `mako console user NAME TENANTS` prints a
// line; `htpasswd -nbB name password` gives a hash (after the colon).
func LoadUsers(path string) ([]User, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUsersFile, err)
	}
	defer f.Close()
	return ParseUsers(f, path)
}

// ParseUsers reads the users file format of LoadUsers from r (name is used
// in errors).
func ParseUsers(r io.Reader, name string) ([]User, error) {
	var out []User
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("%w: %s:%d: want name:bcrypt-hash:tenants", ErrUsersFile, name, n)
		}
		u := User{Name: parts[0], Hash: []byte(parts[1])}
		if u.Name == "" || strings.ContainsAny(u.Name, " \t") {
			return nil, fmt.Errorf("%w: %s:%d: user name %q", ErrUsersFile, name, n, u.Name)
		}
		if _, err := bcrypt.Cost(u.Hash); err != nil {
			return nil, fmt.Errorf("%w: %s:%d: user %s: not a bcrypt hash: %v", ErrUsersFile, name, n, u.Name, err)
		}
		for _, t := range strings.Split(parts[2], ",") {
			t = strings.TrimSpace(t)
			if t != AllTenants {
				if err := engine.TenantID(t).Validate(); err != nil {
					return nil, fmt.Errorf("%w: %s:%d: user %s: tenant %q: %v", ErrUsersFile, name, n, u.Name, t, err)
				}
			}
			u.Tenants = append(u.Tenants, t)
		}
		if slices.ContainsFunc(out, func(x User) bool { return x.Name == u.Name }) {
			return nil, fmt.Errorf("%w: %s:%d: user %s twice", ErrUsersFile, name, n, u.Name)
		}
		out = append(out, u)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUsersFile, name, err)
	}
	return out, nil
}

// HashPassword returns the bcrypt hash of password for a users file.
func HashPassword(password string) (string, error) {
	b, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(b), err
}

// Principal is an authenticated user and what it may see.
type Principal struct {
	// Name identifies the user (login name, or the OIDC e-mail/subject).
	Name string `json:"n"`
	// Tenants are the tenants granted; AllTenants grants every tenant.
	Tenants []string `json:"t"`
	// Method is how the user authenticated: "password", "oidc", "local"
	// (no authentication configured: the loopback operator).
	Method string `json:"m"`
}

// Allowed reports whether p may see and act for tenant.
func (p Principal) Allowed(tenant string) bool {
	return tenant != "" && (slices.Contains(p.Tenants, AllTenants) || slices.Contains(p.Tenants, tenant))
}

// Scope returns the tenants p may see among all (the deployment's tenants,
// sorted).
func (p Principal) Scope(all []string) []string {
	var out []string
	for _, t := range all {
		if p.Allowed(t) {
			out = append(out, t)
		}
	}
	return out
}

type principalKey struct{}

// PrincipalFrom returns the principal of an authenticated request.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

func withPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// session is the signed content of the session cookie and of bearer tokens
// issued for users-file users.
type session struct {
	Principal
	// Exp is the expiry (Unix seconds).
	Exp int64 `json:"e"`
	// ID is random per login; the CSRF token is derived from it.
	ID string `json:"i"`
	// Kind is "s" (session cookie) or "b" (bearer token): a bearer token is
	// not accepted as a cookie and vice versa.
	Kind string `json:"k"`
}

// Auth authenticates console users and API clients: a users file with
// bcrypt hashes and/or an OIDC provider; sessions in HMAC-signed cookies
// (HttpOnly, SameSite=Lax, Secure unless disabled for plain-HTTP
// loopback); a CSRF token per session on every state-changing request;
// bearer tokens on the read API. Build it with NewAuth.
type Auth struct {
	users  map[string]User
	oidc   *OIDC
	key    []byte
	ttl    time.Duration
	secure bool
	now    func() time.Time
	// dummy is compared against when the user is unknown, so that the time
	// of a failed login does not tell whether the user exists.
	dummy []byte
}

// AuthOption configures an Auth.
type AuthOption func(*Auth) error

// WithUsers adds the users of a users file.
func WithUsers(users []User) AuthOption {
	return func(a *Auth) error {
		for _, u := range users {
			a.users[u.Name] = u
		}
		return nil
	}
}

// WithOIDC enables login with an OpenID Connect provider (see NewOIDC).
func WithOIDC(o *OIDC) AuthOption { return func(a *Auth) error { a.oidc = o; return nil } }

// WithSessionKey sets the HMAC key of sessions and CSRF tokens (at least 32
// bytes). Without it a random key is generated: sessions end when the
// process restarts, and instances behind one load balancer need the same
// key (MAKO_SESSION_KEY).
func WithSessionKey(key []byte) AuthOption {
	return func(a *Auth) error {
		if len(key) < 32 {
			return fmt.Errorf("%w: session key of %d bytes: want at least 32", ErrAuthConfig, len(key))
		}
		a.key = slices.Clone(key)
		return nil
	}
}

// WithSessionTTL sets how long a login lasts (default 12 h).
func WithSessionTTL(d time.Duration) AuthOption {
	return func(a *Auth) error {
		if d <= 0 {
			return fmt.Errorf("%w: session TTL %s", ErrAuthConfig, d)
		}
		a.ttl = d
		return nil
	}
}

// WithInsecureCookies drops the Secure flag of cookies, for a console served
// over plain HTTP (a loopback address, or behind a TLS-terminating proxy on
// the same host). Default: Secure.
func WithInsecureCookies() AuthOption { return func(a *Auth) error { a.secure = false; return nil } }

// WithAuthClock sets the clock of session expiry (tests).
func WithAuthClock(now func() time.Time) AuthOption {
	return func(a *Auth) error { a.now = now; return nil }
}

// NewAuth returns an Auth; it needs at least one user or an OIDC provider.
func NewAuth(opts ...AuthOption) (*Auth, error) {
	a := &Auth{users: map[string]User{}, ttl: 12 * time.Hour, secure: true, now: time.Now}
	for _, o := range opts {
		if err := o(a); err != nil {
			return nil, err
		}
	}
	if len(a.users) == 0 && a.oidc == nil {
		return nil, fmt.Errorf("%w: no users and no OIDC provider", ErrAuthConfig)
	}
	if a.key == nil {
		a.key = make([]byte, 32)
		if _, err := rand.Read(a.key); err != nil {
			return nil, err
		}
	}
	d, err := bcrypt.GenerateFromPassword([]byte("no such user"), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	a.dummy = d
	return a, nil
}

// HasPasswordLogin reports whether users-file logins are configured.
func (a *Auth) HasPasswordLogin() bool { return len(a.users) > 0 }

// HasOIDC reports whether OIDC login is configured.
func (a *Auth) HasOIDC() bool { return a.oidc != nil }

// CheckPassword returns the principal of name if password matches its
// bcrypt hash.
func (a *Auth) CheckPassword(name, password string) (Principal, bool) {
	u, ok := a.users[name]
	if !ok {
		_ = bcrypt.CompareHashAndPassword(a.dummy, []byte(password))
		return Principal{}, false
	}
	if bcrypt.CompareHashAndPassword(u.Hash, []byte(password)) != nil {
		return Principal{}, false
	}
	return Principal{Name: u.Name, Tenants: slices.Clone(u.Tenants), Method: "password"}, true
}

func (a *Auth) sign(s session) string {
	b, _ := json.Marshal(s)
	body := base64.RawURLEncoding.EncodeToString(b)
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (a *Auth) verify(v, kind string) (session, bool) {
	body, sig, ok := strings.Cut(v, ".")
	if !ok {
		return session{}, false
	}
	want := hmac.New(sha256.New, a.key)
	want.Write([]byte(body))
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, want.Sum(nil)) {
		return session{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return session{}, false
	}
	var s session
	if json.Unmarshal(b, &s) != nil || s.Kind != kind || a.now().Unix() >= s.Exp || s.Name == "" {
		return session{}, false
	}
	return s, true
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfToken derives the CSRF token of a session.
func csrfToken(key []byte, sessionID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("csrf\x00" + sessionID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// IssueToken returns a bearer token for p valid for the session TTL (the
// read API's credentials for users-file users).
func (a *Auth) IssueToken(p Principal) (string, time.Time) {
	exp := a.now().Add(a.ttl)
	return a.sign(session{Principal: p, Exp: exp.Unix(), ID: randomID(), Kind: "b"}), exp
}

// Cookie names.
const (
	sessionCookie = "mako_session"
	stateCookie   = "mako_oidc_state"
)

// startSession sets the session cookie for p.
func (a *Auth) startSession(w http.ResponseWriter, p Principal) {
	exp := a.now().Add(a.ttl)
	v := a.sign(session{Principal: p, Exp: exp.Unix(), ID: randomID(), Kind: "s"})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: v, Path: "/", Expires: exp, HttpOnly: true,
		Secure: a.secure, SameSite: http.SameSiteLaxMode})
}

func (a *Auth) endSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: a.secure, SameSite: http.SameSiteLaxMode})
}

// authenticate returns the principal of r (session cookie or bearer token)
// and the session id its CSRF token derives from ("" for bearer tokens:
// they are not sent by browsers on their own, so they need none).
func (a *Auth) authenticate(r *http.Request) (Principal, string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return Principal{}, "", false
		}
		if s, ok := a.verify(tok, "b"); ok {
			return s.Principal, "", true
		}
		if a.oidc != nil {
			if p, err := a.oidc.verifyBearer(r.Context(), tok); err == nil {
				return p, "", true
			}
		}
		return Principal{}, "", false
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return Principal{}, "", false
	}
	s, ok := a.verify(c.Value, "s")
	if !ok {
		return Principal{}, "", false
	}
	return s.Principal, s.ID, true
}

// constantEqual compares two tokens in constant time.
func constantEqual(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Require wraps a whole listener's handler (the wiring's mux with
// /metrics, the read API and the console): every request but the public
// ones (login, static files, /healthz, /readyz) must carry a session
// cookie or a bearer token. The console applies its own checks (CSRF,
// tenant scope) behind it.
func (a *Auth) Require(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if public(r.URL.Path) || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			h.ServeHTTP(w, r)
			return
		}
		if _, _, ok := a.authenticate(r); !ok {
			if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/v1/") && r.URL.Path != "/metrics" {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="mako"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
