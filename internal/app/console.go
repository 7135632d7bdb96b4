package app

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"time"

	"github.com/mako-engine/mako/pkg/console"
)

// AuthConfig configures who may use the HTTP listener of a command (the
// operator console, the read API, /metrics): a users file and/or an OIDC
// provider. Without either the listener must be on a loopback address.
type AuthConfig struct {
	Users            string
	OIDCIssuer       string
	OIDCClientID     string
	OIDCClientSecret string
	OIDCRedirectURL  string
	OIDCTenantsClaim string
	SessionKey       string
}

// Register adds the authentication flags to fs (defaults from MAKO_*).
func (a *AuthConfig) Register(fs *flag.FlagSet) {
	fs.StringVar(&a.Users, "users", env("MAKO_USERS", ""), "users file (name:bcrypt-hash:tenants per line) for the console and the read API (env MAKO_USERS)")
	fs.StringVar(&a.OIDCIssuer, "oidc-issuer", env("MAKO_OIDC_ISSUER", ""), "OpenID Connect issuer URL for console login (env MAKO_OIDC_ISSUER)")
	fs.StringVar(&a.OIDCClientID, "oidc-client-id", env("MAKO_OIDC_CLIENT_ID", ""), "OIDC client id (env MAKO_OIDC_CLIENT_ID)")
	fs.StringVar(&a.OIDCClientSecret, "oidc-client-secret", env("MAKO_OIDC_CLIENT_SECRET", ""), "OIDC client secret (env MAKO_OIDC_CLIENT_SECRET)")
	fs.StringVar(&a.OIDCRedirectURL, "oidc-redirect-url", env("MAKO_OIDC_REDIRECT_URL", ""), "OIDC redirect URL, https://<host>/auth/oidc/callback (env MAKO_OIDC_REDIRECT_URL)")
	fs.StringVar(&a.OIDCTenantsClaim, "oidc-tenants-claim", env("MAKO_OIDC_TENANTS_CLAIM", console.DefaultTenantsClaim), "ID-token claim listing a user's tenants (env MAKO_OIDC_TENANTS_CLAIM)")
	fs.StringVar(&a.SessionKey, "session-key", env("MAKO_SESSION_KEY", ""), "hex HMAC key (≥ 32 bytes) of console sessions; default random per start (env MAKO_SESSION_KEY)")
}

// Configured reports whether any authentication is configured.
func (a *AuthConfig) Configured() bool { return a.Users != "" || a.OIDCIssuer != "" }

// build returns the Auth for a listener on addr (nil without
// authentication; then addr must be a loopback address).
func (a *AuthConfig) build(ctx context.Context, addr string) (*console.Auth, error) {
	if err := console.RequireAuth(addr, a.Configured()); err != nil {
		return nil, err
	}
	if !a.Configured() {
		return nil, nil
	}
	var opts []console.AuthOption
	if a.Users != "" {
		users, err := console.LoadUsers(a.Users)
		if err != nil {
			return nil, err
		}
		opts = append(opts, console.WithUsers(users))
	}
	if a.OIDCIssuer != "" {
		octx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		o, err := console.NewOIDC(octx, console.OIDCConfig{Issuer: a.OIDCIssuer, ClientID: a.OIDCClientID, ClientSecret: a.OIDCClientSecret,
			RedirectURL: a.OIDCRedirectURL, TenantsClaim: a.OIDCTenantsClaim})
		if err != nil {
			return nil, err
		}
		opts = append(opts, console.WithOIDC(o))
	}
	if a.SessionKey != "" {
		key, err := hex.DecodeString(a.SessionKey)
		if err != nil {
			return nil, fmt.Errorf("%w: --session-key: want hex: %v", console.ErrAuthConfig, err)
		}
		opts = append(opts, console.WithSessionKey(key))
	}
	if console.IsLoopback(addr) {
		// Plain HTTP on the host itself: browsers drop Secure cookies there.
		opts = append(opts, console.WithInsecureCookies())
	}
	return console.NewAuth(opts...)
}

// protect wraps the listener's handler with the authentication, if any.
func (w *Wiring) protect(h http.Handler) http.Handler {
	if w.Auth == nil {
		return h
	}
	return w.Auth.Require(h)
}

// MountConsole mounts the operator console and the read API (pkg/console,
// pkg/api) on the wiring's mux, behind the configured authentication and
// scoped to each user's tenants. It returns the actors to add (one that
// reports a setup failure).
func MountConsole(w *Wiring) []Actor {
	log := w.Log.With().Str("worker", "console").Logger()
	var tenants []console.Tenant
	for _, t := range w.Config.Tenants {
		tenants = append(tenants, console.Tenant{ID: string(t.ID), MPIDs: t.MPIDs})
	}
	ec := w.System.Engine()
	opts := []console.Option{console.WithAPI(w.System.ReadAPI().Handler()), console.WithTenants(tenants...), console.WithLogger(log)}
	if w.Auth != nil {
		opts = append(opts, console.WithAuth(w.Auth))
	}
	c, err := console.New(w.JS, ec.EventStore(), ec, opts...)
	if err != nil {
		return []Actor{func(context.Context) error { return err }}
	}
	c.Mount(w.Mux)
	return nil
}
