package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/mako-engine/mako/pkg/engine"
	"golang.org/x/oauth2"
)

// DefaultTenantsClaim is the ID-token claim that lists a user's tenants
// (a JSON array of tenant ids, or a string with ids separated by commas or
// spaces; "*" grants every tenant). Map it in the identity provider (a
// Keycloak client mapper, an Entra ID app role or optional claim).
const DefaultTenantsClaim = "mako_tenants"

// OIDCConfig configures login with an OpenID Connect provider
// (authorization code flow).
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (discovery at
	// <issuer>/.well-known/openid-configuration).
	Issuer string
	// ClientID and ClientSecret identify the console at the provider.
	ClientID, ClientSecret string
	// RedirectURL is the console's callback, https://<host>/auth/oidc/callback.
	RedirectURL string
	// TenantsClaim names the claim with the user's tenants (default
	// DefaultTenantsClaim). A user without tenants cannot log in.
	TenantsClaim string
	// HTTPClient is used for discovery, keys and the token exchange
	// (default http.DefaultClient).
	HTTPClient *http.Client
}

// OIDC is a configured OpenID Connect provider. Build it with NewOIDC.
type OIDC struct {
	cfg      OIDCConfig
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
}

// NewOIDC discovers the provider (one HTTP round trip) and returns the
// login configuration.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, fmt.Errorf("%w: OIDC needs issuer, client id and redirect URL", ErrAuthConfig)
	}
	if cfg.TenantsClaim == "" {
		cfg.TenantsClaim = DefaultTenantsClaim
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	ctx = oidc.ClientContext(ctx, cfg.HTTPClient)
	p, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: OIDC discovery of %s: %v", ErrAuthConfig, cfg.Issuer, err)
	}
	return &OIDC{
		cfg:      cfg,
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: cfg.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}},
	}, nil
}

// authURL is where the browser is sent to log in.
func (o *OIDC) authURL(state, nonce string) string {
	return o.oauth.AuthCodeURL(state, oidc.Nonce(nonce))
}

// exchange redeems an authorization code and returns the principal of the
// verified ID token (its nonce must be nonce).
func (o *OIDC) exchange(ctx context.Context, code, nonce string) (Principal, error) {
	ctx = oidc.ClientContext(ctx, o.cfg.HTTPClient)
	tok, err := o.oauth.Exchange(ctx, code)
	if err != nil {
		return Principal{}, fmt.Errorf("oidc: token exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Principal{}, errors.New("oidc: no id_token in the token response")
	}
	id, err := o.verifier.Verify(ctx, raw)
	if err != nil {
		return Principal{}, fmt.Errorf("oidc: id token: %w", err)
	}
	if id.Nonce != nonce {
		return Principal{}, errors.New("oidc: id token nonce does not match the login")
	}
	return o.principal(id)
}

// verifyBearer accepts an ID token of the provider (audience = client id)
// as a bearer token of the read API.
func (o *OIDC) verifyBearer(ctx context.Context, raw string) (Principal, error) {
	id, err := o.verifier.Verify(oidc.ClientContext(ctx, o.cfg.HTTPClient), raw)
	if err != nil {
		return Principal{}, err
	}
	return o.principal(id)
}

func (o *OIDC) principal(id *oidc.IDToken) (Principal, error) {
	var claims map[string]any
	if err := id.Claims(&claims); err != nil {
		return Principal{}, fmt.Errorf("oidc: claims: %w", err)
	}
	name, _ := claims["email"].(string)
	if name == "" {
		name, _ = claims["preferred_username"].(string)
	}
	if name == "" {
		name = id.Subject
	}
	var tenants []string
	switch v := claims[o.cfg.TenantsClaim].(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				tenants = append(tenants, s)
			}
		}
	case string:
		tenants = strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })
	}
	var ok []string
	for _, t := range tenants {
		if t == AllTenants || engine.TenantID(t).Validate() == nil {
			ok = append(ok, t)
		}
	}
	if len(ok) == 0 {
		return Principal{}, fmt.Errorf("oidc: user %s has no tenants (claim %s)", name, o.cfg.TenantsClaim)
	}
	return Principal{Name: name, Tenants: ok, Method: "oidc"}, nil
}
