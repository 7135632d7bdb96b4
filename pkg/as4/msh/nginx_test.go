package msh_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/as4/ebms"
	"github.com/mako-engine/mako/pkg/as4/internal/astest"
	"github.com/mako-engine/mako/pkg/as4/msh"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/partner"
)

var placeholder = regexp.MustCompile(`@[A-Z_]+@`)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func run(t *testing.T, dir string, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// brainpoolTLSPKI makes, with the openssl CLI, a brainpoolP256r1 TLS CA and certificates for
// the server (localhost) and for market partner clients (OU = MP-ID, CN = <name>.EMT.MAK).
type brainpoolTLSPKI struct{ dir string }

func newBrainpoolTLSPKI(t *testing.T) *brainpoolTLSPKI {
	t.Helper()
	p := &brainpoolTLSPKI{dir: t.TempDir()}
	run(t, p.dir, "openssl", "ecparam", "-name", "brainpoolP256r1", "-genkey", "-noout", "-out", "ca.key")
	run(t, p.dir, "openssl", "req", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", "30", "-subj", "/C=DE/O=Test TLS CA/CN=TEST.TLS-CA", "-out", "ca.pem",
		"-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	p.issue(t, "server", "/C=DE/O=Test/CN=localhost", "serverAuth", "subjectAltName=DNS:localhost,IP:127.0.0.1")
	return p
}

// issue makes name.key / name.pem signed by the CA.
func (p *brainpoolTLSPKI) issue(t *testing.T, name, subject, eku string, extra ...string) {
	t.Helper()
	run(t, p.dir, "openssl", "ecparam", "-name", "brainpoolP256r1", "-genkey", "-noout", "-out", name+".key")
	run(t, p.dir, "openssl", "req", "-new", "-key", name+".key", "-subj", subject, "-out", name+".csr")
	ext := "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=" + eku + "\n" + strings.Join(extra, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(p.dir, name+".ext"), []byte(ext), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, p.dir, "openssl", "x509", "-req", "-in", name+".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-sha256", "-days", "30",
		"-extfile", name+".ext", "-out", name+".pem")
}

func (p *brainpoolTLSPKI) path(name string) string { return filepath.Join(p.dir, name) }

// startNginx renders deploy/as4/nginx.conf and runs nginx in the foreground until the test
// ends.
func startNginx(t *testing.T, vars map[string]string) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	tmpl, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "deploy", "as4", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	prefix := t.TempDir()
	vars["PREFIX"], vars["PID"] = prefix, filepath.Join(prefix, "nginx.pid")
	conf := string(tmpl)
	for k, v := range vars {
		conf = strings.ReplaceAll(conf, "@"+k+"@", v)
	}
	for _, line := range strings.Split(conf, "\n") {
		if l := strings.TrimSpace(line); !strings.HasPrefix(l, "#") && placeholder.MatchString(l) {
			t.Fatalf("unreplaced placeholder: %s", l)
		}
	}
	path := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, prefix, "nginx", "-t", "-p", prefix, "-c", path, "-e", filepath.Join(prefix, "error.log"))
	cmd := exec.Command("nginx", "-p", prefix, "-c", path, "-e", filepath.Join(prefix, "error.log"), "-g", "daemon off;")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
			t.Logf("nginx stderr: %s\nerror.log: %s", stderr.String(), log)
		}
	})
	for _, a := range []string{vars["INGRESS_LISTEN"], vars["EGRESS_LISTEN"]} {
		for i := 0; ; i++ {
			c, err := net.DialTimeout("tcp", a, 100*time.Millisecond)
			if err == nil {
				c.Close()
				break
			}
			if i > 100 {
				t.Fatalf("nginx does not listen on %s: %s", a, stderr.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// TestBehindNginx: the shipped nginx configuration in front of the endpoint and behind the
// transport. The LF's as4 transport posts in plain HTTP to nginx's egress location, which
// speaks TLS 1.2 with brainpoolP256r1 certificates and client authentication to nginx's
// ingress, which passes the verified client certificate on to the endpoint. A request without
// a client certificate never reaches the endpoint; a client certificate of another market
// partner is refused with EBMS:0101; the endpoint refuses requests without the terminator's
// header.
func TestBehindNginx(t *testing.T) {
	astest.RequireTool(t, "nginx")
	astest.RequireTool(t, "openssl")
	astest.RequireTool(t, "curl")
	f := newFixture(t)
	tp := newBrainpoolTLSPKI(t)
	tp.issue(t, "lf-client", "/C=DE/O=Test LF/OU="+mpLF+"/CN=lfn.EMT.MAK", "clientAuth")
	tp.issue(t, "x-client", "/C=DE/O=Test X/OU="+mpX+"/CN=lfa.EMT.MAK", "clientAuth")

	// The NB's endpoint behind the terminator: TLS client certificates from the TLS CA.
	tlsCA, err := os.ReadFile(tp.path("ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	caCerts := must(msh.ParseCertificates(string(tlsCA)))
	trust := &msh.Trust{Roots: append(append([]*smpki.Certificate{}, f.trust.Roots...), caCerts...), Intermediates: f.trust.Intermediates}
	sc := msh.ServerConfig{Addr: freeAddr(t), TerminatorHeader: "X-SSL-Client-Cert"}
	f.serve(t, sc, trust)

	ingress, egress := freeAddr(t), freeAddr(t)
	_, ingressPort, _ := net.SplitHostPort(ingress)
	startNginx(t, map[string]string{
		"INGRESS_LISTEN": ingress, "EGRESS_LISTEN": egress, "MAKO_AS4": sc.Addr,
		"SERVER_CERT": tp.path("server.pem"), "SERVER_KEY": tp.path("server.key"), "CLIENT_CAS": tp.path("ca.pem"),
		"PARTNER_MPID": mpNB, "PARTNER_URL": "https://localhost:" + ingressPort + "/as4", "PARTNER_HOST": "localhost",
		"CLIENT_CERT": tp.path("lf-client.pem"), "CLIENT_KEY": tp.path("lf-client.key"), "PARTNER_CAS": tp.path("ca.pem"),
	})

	// LF → egress → (brainpool mTLS) → ingress → endpoint: a positive receipt.
	d := f.delivery("nginx-1", edi)
	d.Channel = f.nb.Channel("http://"+egress+"/"+mpNB+"/as4", partner.RelationshipConfirmed)
	rec, err := f.transport.Send(context.Background(), d)
	if err != nil || rec.Status != msh.StatusPositive {
		t.Fatalf("through nginx: %+v %v", rec, err)
	}
	if n := f.ingested(t); n != 1 {
		t.Fatalf("MAKO_INGEST: %d", n)
	}
	// The TLS handshake used brainpoolP256r1 certificates (and TLS 1.2): ask OpenSSL.
	out, _ := exec.Command("openssl", "s_client", "-connect", ingress, "-servername", "localhost", "-CAfile", tp.path("ca.pem"),
		"-cert", tp.path("lf-client.pem"), "-key", tp.path("lf-client.key"), "-groups", "brainpoolP256r1", "-tls1_2", "-brief").CombinedOutput()
	if s := string(out); !strings.Contains(s, "Verification: OK") || !strings.Contains(s, "TLSv1.2") || !strings.Contains(s, "brainpoolP256r1") {
		t.Errorf("openssl s_client: %s", s)
	} else if testing.Verbose() {
		t.Logf("openssl s_client: %s", s)
	}

	// Another message sealed by the LF, posted with curl (OpenSSL) directly to the ingress.
	sealed := func(id string) string {
		m := ebms.NewBDEWUserMessage(id, time.Now(), ebms.Party{ID: mpLF, Type: ebms.PartyTypeBDEW}, ebms.Party{ID: mpNB, Type: ebms.PartyTypeBDEW}, ebms.ServiceMP,
			ebms.EDIFACTPart("p1."+id, "UTILMD", "MK2", time.Now(), ""))
		s := must(ebms.Seal(m, []ebms.Payload{{ContentID: "p1." + id, Data: edi}}, f.lf.Identity.Signer, f.nb.Enc.Cert, nil))
		path := filepath.Join(tp.dir, id+".mime")
		if err := os.WriteFile(path, s.Body, 0o600); err != nil {
			t.Fatal(err)
		}
		return s.ContentType + "\n" + path
	}
	curl := func(id string, args ...string) (status, body string) {
		ct, path, _ := strings.Cut(sealed(id), "\n")
		cmd := exec.Command("curl", append([]string{"-sS", "-o", "-", "-w", "\n%{http_code}", "--cacert", tp.path("ca.pem"), "--curves", "brainpoolP256r1:prime256v1",
			"-H", "Content-Type: " + ct, "--data-binary", "@" + path, "https://localhost:" + ingressPort + "/as4"}, args...)...)
		out, _ := cmd.CombinedOutput()
		s := strings.TrimSpace(string(out))
		i := strings.LastIndex(s, "\n")
		return s[i+1:], s[:max(i, 0)]
	}
	if status, body := curl("nginx-nocert"); status != "400" || !strings.Contains(body, "No required SSL certificate") {
		t.Errorf("without client certificate: %s %s", status, body)
	}
	if status, body := curl("nginx-x", "--cert", tp.path("x-client.pem"), "--key", tp.path("x-client.key")); status != "200" || !strings.Contains(body, ebms.CodeFailedAuthentication) {
		t.Errorf("client certificate of another partner: %s %s", status, body)
	}
	if status, body := curl("nginx-lf", "--cert", tp.path("lf-client.pem"), "--key", tp.path("lf-client.key")); status != "200" || !strings.Contains(body, "Receipt") {
		t.Errorf("LF's client certificate: %s %s", status, body)
	}
	// Straight to the endpoint, past nginx: no header, no entry.
	ct, path, _ := strings.Cut(sealed("nginx-bypass"), "\n")
	body, _ := os.ReadFile(path)
	resp, err := http.Post("http://"+sc.Addr+msh.DefaultPath, ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("bypassing the terminator: %s", resp.Status)
	}
	if n := f.ingested(t); n != 2 {
		t.Fatalf("MAKO_INGEST: %d messages, want 2 (the transport's and curl's with the LF certificate)", n)
	}
}
