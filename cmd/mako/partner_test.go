package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/partner"
)

func partnerCLI(t *testing.T, url string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"partner", args[0], "--nats-url", url}, args[1:]...)
	code := run(context.Background(), full, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestPartnerCLI(t *testing.T) {
	s := natstest.Start(t, natstest.WithListen())
	url := s.ClientURL()

	// set creates the bucket and the record.
	code, out, errs := partnerCLI(t, url, "set", "--tenant", "nb", "--mp-id", "9900000000004", "--name", "Stadtwerke LF",
		"--role", "LF", "--transport", "http", "--url", "https://gw.example.test/in", "--timeout", "20s",
		"--contact", "EDI desk;edi@example.test;+49 30 1234")
	if code != 0 {
		t.Fatalf("set: %d %s", code, errs)
	}
	var got partnerJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("set output %q: %v", out, err)
	}
	p := got.Partner
	if got.Tenant != "nb" || got.Revision == 0 || p.Name != "Stadtwerke LF" || len(p.Roles) != 1 || p.Roles[0] != "LF" ||
		len(p.Channels) != 1 || p.Channels[0].URL != "https://gw.example.test/in" || p.Channels[0].Timeout != partner.Duration(20*time.Second) ||
		len(p.Contacts) != 1 || p.Contacts[0].Phone != "+49 30 1234" {
		t.Fatalf("set: %+v", got)
	}

	// A second set changes only what is given: the channel stays.
	code, out, errs = partnerCLI(t, url, "set", "--tenant", "nb", "--mp-id", "9900000000004", "--name", "Stadtwerke LF GmbH")
	if code != 0 {
		t.Fatalf("update: %d %s", code, errs)
	}
	var upd partnerJSON
	_ = json.Unmarshal([]byte(out), &upd)
	if upd.Partner.Name != "Stadtwerke LF GmbH" || len(upd.Partner.Channels) != 1 || upd.Revision <= got.Revision {
		t.Fatalf("update: %+v", upd)
	}

	// An AS4 channel: endpoint, the partner's encryption certificate (PEM file), relationship.
	certFile := filepath.Join(t.TempDir(), "enc.pem")
	if err := os.WriteFile(certFile, []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs = partnerCLI(t, url, "set", "--tenant", "nb", "--mp-id", "9900000000011", "--transport", "as4", "--url", "https://as4.nb.example.test/as4",
		"--enc-cert", certFile, "--relationship", "confirmed")
	var as4 partnerJSON
	_ = json.Unmarshal([]byte(out), &as4)
	if code != 0 || len(as4.Partner.Channels) != 1 || as4.Partner.Channels[0].AS4 == nil || as4.Partner.Channels[0].AS4.Relationship != "confirmed" ||
		len(as4.Partner.Channels[0].AS4.EncryptionCerts) != 1 {
		t.Fatalf("set as4: %d %s %s", code, out, errs)
	}
	if code, _, _ := partnerCLI(t, url, "set", "--tenant", "nb", "--mp-id", "9900000000011", "--transport", "as4", "--url", "https://as4.nb.example.test/as4"); code != 2 {
		t.Fatalf("as4 without encryption certificate: exit %d", code)
	}
	if code, _, _ := partnerCLI(t, url, "rm", "--tenant", "nb", "--mp-id", "9900000000011"); code != 0 {
		t.Fatalf("rm as4 partner: %d", code)
	}

	// Another partner with a file channel, then list (sorted by MP-ID).
	if code, _, errs := partnerCLI(t, url, "set", "--tenant", "nb", "--mp-id", "9900000000028", "--transport", "file", "--dir", "/var/spool/gw/out"); code != 0 {
		t.Fatalf("set file: %s", errs)
	}
	code, out, _ = partnerCLI(t, url, "list", "--tenant", "nb")
	var list []partnerJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil || code != 0 || len(list) != 2 ||
		list[0].Partner.MPID != "9900000000004" || list[1].Partner.Channels[0].Dir != "/var/spool/gw/out" {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, out, _ := partnerCLI(t, url, "list", "--tenant", "lf"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("other tenant: %d %q", code, out)
	}

	// get; rm at a stale revision is a conflict; rm; get is not found.
	code, out, _ = partnerCLI(t, url, "get", "--tenant", "nb", "--mp-id", "9900000000004")
	if code != 0 || !strings.Contains(out, `"timeout": "20s"`) {
		t.Fatalf("get: %d %s", code, out)
	}
	if code, _, errs := partnerCLI(t, url, "rm", "--tenant", "nb", "--mp-id", "9900000000004", "--revision", "1"); code != 1 || !strings.Contains(errs, "conflict") {
		t.Fatalf("stale rm: %d %s", code, errs)
	}
	if code, _, errs := partnerCLI(t, url, "rm", "--tenant", "nb", "--mp-id", "9900000000004"); code != 0 {
		t.Fatalf("rm: %s", errs)
	}
	if code, _, _ := partnerCLI(t, url, "get", "--tenant", "nb", "--mp-id", "9900000000004"); code != 1 {
		t.Fatalf("get after rm: %d", code)
	}

	// Usage errors.
	for _, args := range [][]string{
		{"set", "--tenant", "nb", "--mp-id", "9900000000005"},                            // bad check digit
		{"set", "--tenant", "NB", "--mp-id", "9900000000004"},                            // bad tenant
		{"set", "--tenant", "nb", "--mp-id", "9900000000004", "--transport", "http"},     // no URL
		{"set", "--tenant", "nb", "--mp-id", "9900000000004", "--url", "https://x.test"}, // channel flag without transport
		{"set", "--tenant", "nb", "--mp-id", "9900000000004", "--transport", "nats", "--subject", "a.*"},
		{"frob", "--tenant", "nb"},
	} {
		if code, _, _ := partnerCLI(t, url, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
