package wire

import "testing"

func TestTenantTokens(t *testing.T) {
	for _, c := range []struct {
		subject           string
		token, sole       string
		tokenErr, soleErr bool
	}{
		{subject: "mako.dlq.nb", token: "nb", sole: "nb"},
		{subject: "mako.dlq.nb.action", token: "nb", soleErr: true},
		{subject: "mako.dlq.", tokenErr: true, soleErr: true},
		{subject: "mako.dlq", tokenErr: true, soleErr: true},
		{subject: "mako.dlqx.nb", tokenErr: true, soleErr: true},
	} {
		tok, err := TenantToken("mako.dlq", c.subject)
		if (err != nil) != c.tokenErr || (err == nil && tok != c.token) {
			t.Errorf("TenantToken(%q) = %q, %v", c.subject, tok, err)
		}
		sole, err := SoleTenantToken("mako.dlq", c.subject)
		if (err != nil) != c.soleErr || (err == nil && sole != c.sole) {
			t.Errorf("SoleTenantToken(%q) = %q, %v", c.subject, sole, err)
		}
	}
}
