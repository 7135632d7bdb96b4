package console_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/mako-engine/mako/internal/app"
)

// provider is an OpenID Connect provider run by the test: discovery, JWKS,
// an authorization endpoint that logs the user in at once, and a token
// endpoint issuing RS256 ID tokens.
type provider struct {
	srv      *httptest.Server
	key      *rsa.PrivateKey
	clientID string
	secret   string
	claims   map[string]any

	mu     sync.Mutex
	codes  map[string]string // code → nonce
	lastID string
	// wrongNonce makes the token endpoint put another nonce in the token.
	wrongNonce bool
}

func newProvider(t *testing.T, claims map[string]any) *provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{key: key, clientID: "mako-konsole", secret: "s3cret", claims: claims, codes: map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": p.srv.URL, "authorization_endpoint": p.srv.URL + "/authorize", "token_endpoint": p.srv.URL + "/token",
			"jwks_uri": p.srv.URL + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("client_id") != p.clientID || q.Get("response_type") != "code" {
			http.Error(w, "bad authorization request", 400)
			return
		}
		code := "code-" + q.Get("state")
		p.mu.Lock()
		p.codes[code] = q.Get("nonce")
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		}
		if id != p.clientID || secret != p.secret || r.PostFormValue("grant_type") != "authorization_code" {
			http.Error(w, `{"error":"invalid_client"}`, 401)
			return
		}
		p.mu.Lock()
		nonce, ok := p.codes[r.PostFormValue("code")]
		delete(p.codes, r.PostFormValue("code"))
		wrong := p.wrongNonce
		p.mu.Unlock()
		if !ok {
			http.Error(w, `{"error":"invalid_grant"}`, 400)
			return
		}
		if wrong {
			nonce = "another"
		}
		tok := p.idToken(t, p.key, p.clientID, map[string]any{"nonce": nonce})
		p.mu.Lock()
		p.lastID = tok
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 300, "id_token": tok})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// idToken signs an ID token with key for audience aud.
func (p *provider) idToken(t *testing.T, key *rsa.PrivateKey, aud string, extra map[string]any) string {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1").WithType("JWT"))
	if err != nil {
		t.Error(err)
		return ""
	}
	now := time.Now()
	c := map[string]any{"iss": p.srv.URL, "aud": aud, "sub": "u-4711", "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
	for k, v := range p.claims {
		c[k] = v
	}
	for k, v := range extra {
		c[k] = v
	}
	b, _ := json.Marshal(c)
	jws, err := signer.Sign(b)
	if err != nil {
		t.Error(err)
		return ""
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Error(err)
	}
	return s
}

// makod with OIDC login only: the browser is sent to the provider and back,
// the ID token is verified (signature, issuer, audience, nonce) and the
// tenants come from its mako_tenants claim; the same ID token is a bearer
// token of the read API.
func TestOIDCLogin(t *testing.T) {
	if testing.Short() {
		t.Skip("starts makod")
	}
	p := newProvider(t, map[string]any{"email": "erika@example.org", "mako_tenants": []string{"nb"}})
	for k, v := range daemonEnv {
		t.Setenv(k, v)
	}
	natsAddr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	httpAddr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + httpAddr
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	stderr := &syncBuffer{}
	go func() {
		done <- app.RunDaemon(ctx, []string{"--data", filepath.Join(t.TempDir(), "data"), "--listen", natsAddr, "--http", httpAddr, "--log-level", "warn",
			"--oidc-issuer", p.srv.URL, "--oidc-client-id", p.clientID, "--oidc-client-secret", p.secret,
			"--oidc-redirect-url", base + "/auth/oidc/callback"}, stderr)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("makod did not stop")
		}
	}()
	waitFor(t, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}, "makod")

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	get := func(u string) (int, string, string) {
		resp, err := browser.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Request.URL.String()
	}
	status, body, at := get(base + "/vorgaenge")
	if status != 200 || !strings.HasPrefix(at, base+"/login") || !strings.Contains(strings.ToLower(body), "/auth/oidc?next=%2fvorgaenge") {
		t.Fatalf("not sent to the login page: %d %s %s", status, at, excerpt(body))
	}
	status, body, at = get(base + "/auth/oidc?next=%2Fvorgaenge")
	if status != 200 || at != base+"/vorgaenge" || !strings.Contains(body, "erika@example.org") || !strings.Contains(body, "Mandanten: nb") {
		t.Fatalf("OIDC login: %d at %s: %s\nmakod: %s", status, at, excerpt(body), stderr.String())
	}
	for _, c := range jar.Cookies(mustURL(t, base)) {
		if c.Name == "mako_session" && c.Value == "" {
			t.Error("empty session cookie")
		}
	}

	p.mu.Lock()
	idTok := p.lastID
	p.mu.Unlock()
	if code, _ := apiGet(t, base, idTok, "/v1/processes"); code != 200 {
		t.Errorf("API with the ID token: %d", code)
	}
	if code, _ := apiGet(t, base, idTok, "/v1/processes?tenant=lfn"); code != 403 {
		t.Errorf("API tenant lfn for an nb user: %d", code)
	}
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	for name, tok := range map[string]string{
		"foreign key":    p.idToken(t, other, p.clientID, nil),
		"other audience": p.idToken(t, p.key, "someone-else", nil),
		"expired":        p.idToken(t, p.key, p.clientID, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}),
		"no tenants":     p.idToken(t, p.key, p.clientID, map[string]any{"mako_tenants": []string{}}),
	} {
		if code, _ := apiGet(t, base, tok, "/v1/processes"); code != 401 {
			t.Errorf("API with an ID token (%s): %d, want 401", name, code)
		}
	}

	// A token with another nonce does not log in; nor does a callback with
	// a state that was not issued.
	jar2, _ := cookiejar.New(nil)
	browser.Jar = jar2
	p.mu.Lock()
	p.wrongNonce = true
	p.mu.Unlock()
	_, _, at = get(base + "/auth/oidc?next=%2F")
	if !strings.Contains(at, "/login?fehler=1") {
		t.Errorf("login with a wrong nonce ended at %s", at)
	}
	_, _, at = get(base + "/auth/oidc/callback?code=x&state=forged")
	if !strings.Contains(at, "/login?fehler=1") {
		t.Errorf("callback with a forged state ended at %s", at)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
