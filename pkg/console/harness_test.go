package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/console"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The tests run against makod itself (app.RunDaemon: embedded nats-server,
// every worker, the console on the read API's listener) with a users file,
// after the LFW24 demo played a supplier switch through it. One makod per
// test binary, started by the first test that needs it.

// Users of the users file: anna sees every tenant, bernd only nb, lena
// only lfn.
var users = map[string]struct{ password, tenants string }{
	"anna":  {"anna-geheim", "*"},
	"bernd": {"bernd-geheim", "nb"},
	"lena":  {"lena-geheim", "lfn"},
}

type env struct {
	base    string
	natsURL string
	js      jetstream.JetStream
	demo    *demo.Result
	// nbProcess is the NB's process of the switch (its timeline holds all
	// twelve messages).
	nbProcess, lfnProcess string
	stderr                *syncBuffer
	cancel                context.CancelFunc
	done                  chan error
	dir                   string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var (
	envOnce sync.Once
	shared  *env
	envErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.cancel()
		select {
		case <-shared.done:
		case <-time.After(30 * time.Second):
		}
		_ = os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// daemonEnv is the environment makod runs with: defaults (tenants lfn, nb,
// lfa; module gpke) and a deliverer that gives up on a partner after 3 s,
// so that a test can provoke a Klärfall "Zustellung gescheitert".
var daemonEnv = map[string]string{
	"NATS_URL": "", "MAKO_TENANTS": "", "MAKO_MODULES": "", "MAKO_USERS": "", "MAKO_OIDC_ISSUER": "",
	"MAKO_DELIVER_WINDOW": "3s", "MAKO_DELIVER_BACKOFF_BASE": "200ms", "MAKO_DELIVER_BACKOFF_CAP": "1s",
}

// start runs makod and the demo.
func start() (*env, error) {
	for k, v := range daemonEnv {
		os.Setenv(k, v)
	}
	dir, err := os.MkdirTemp("", "mako-console-test")
	if err != nil {
		return nil, err
	}
	var lines []string
	for name, u := range users {
		h, err := console.HashPassword(u.password)
		if err != nil {
			return nil, err
		}
		lines = append(lines, name+":"+h+":"+u.tenants)
	}
	usersFile := filepath.Join(dir, "users")
	if err := os.WriteFile(usersFile, []byte("# test users\n"+strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	natsAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{base: "http://" + httpAddr, natsURL: "nats://" + natsAddr, stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1), dir: dir}
	go func() {
		e.done <- app.RunDaemon(ctx, []string{"--data", filepath.Join(dir, "data"), "--listen", natsAddr, "--http", httpAddr,
			"--users", usersFile, "--log-level", "debug"}, e.stderr)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if time.Now().After(deadline) {
			return e, fmt.Errorf("makod not ready: %s", e.stderr.String())
		}
		resp, err := http.Get(e.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	nc, err := nats.Connect(e.natsURL)
	if err != nil {
		return e, err
	}
	if e.js, err = jetstream.New(nc); err != nil {
		return e, err
	}
	tok, err := token(e.base, "anna")
	if err != nil {
		return e, err
	}
	e.demo, err = demo.RunLFW24(ctx, demo.Config{NatsURL: e.natsURL, API: e.base, APIOptions: []api.ClientOption{api.WithBearerToken(tok)}, Timeout: 60 * time.Second})
	if err != nil {
		return e, fmt.Errorf("demo: %w\nmakod: %s", err, e.stderr.String())
	}
	for _, p := range e.demo.Processes {
		switch {
		case p.Tenant == "nb" && p.Workflow == "gpke.nb.lieferbeginn":
			e.nbProcess = p.ProcessID
		case p.Tenant == "lfn":
			e.lfnProcess = p.ProcessID
		}
	}
	if e.nbProcess == "" || e.lfnProcess == "" {
		return e, fmt.Errorf("demo processes: %+v", e.demo.Processes)
	}
	return e, nil
}

// setup returns the shared makod with the demo played, starting it on the
// first call.
func setup(t *testing.T) *env {
	t.Helper()
	if testing.Short() {
		t.Skip("starts makod and plays the LFW24 demo")
	}
	envOnce.Do(func() { shared, envErr = start() })
	if envErr != nil {
		t.Fatal(envErr)
	}
	return shared
}

// token returns a bearer token of a user (POST /auth/token).
func token(base, user string) (string, error) {
	u := users[user]
	resp, err := http.PostForm(base+"/auth/token", url.Values{"benutzer": {user}, "passwort": {u.password}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var v struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || v.Token == "" {
		return "", fmt.Errorf("token for %s: status %d: %v", user, resp.StatusCode, err)
	}
	return v.Token, nil
}

// client is a browser-like HTTP client of one user (cookie jar, no
// automatic redirects).
type client struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

var reCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login logs user in with the password form.
func (e *env) login(t *testing.T, user string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: e.base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	status, _, loc := c.post("/login", url.Values{"benutzer": {user}, "passwort": {users[user].password}, "next": {"/"}}, false)
	if status != http.StatusSeeOther || loc != "/" {
		t.Fatalf("login %s: %d → %q", user, status, loc)
	}
	_, body := c.get("/")
	m := reCSRF.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token on the page of %s", user)
	}
	c.csrf = m[1]
	return c
}

func (c *client) do(req *http.Request) (int, string, string) {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	status, body, _ := c.do(req)
	return status, body
}

// post sends a form; withCSRF adds the session's token.
func (c *client) post(path string, form url.Values, withCSRF bool) (int, string, string) {
	c.t.Helper()
	if withCSRF {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// must asserts the status of a GET and returns the body.
func (c *client) must(path string, want int) string {
	c.t.Helper()
	status, body := c.get(path)
	if status != want {
		c.t.Fatalf("GET %s: %d, want %d: %s", path, status, want, excerpt(body))
	}
	return body
}

func excerpt(s string) string {
	if i := strings.Index(s, "<main>"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 1500 {
		s = s[:1500]
	}
	return s
}

// apiGet calls the JSON API with a bearer token.
func apiGet(t *testing.T, base, tok, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitLetter polls the read model until a dead letter of tenant matches.
func (e *env) waitLetter(t *testing.T, tenant string, match func(readmodel.DeadLetter) bool, timeout time.Duration) readmodel.DeadLetter {
	t.Helper()
	store := readmodel.NewStore(e.js)
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		var found *readmodel.DeadLetter
		_ = store.EachDeadLetter(context.Background(), tenant, func(l readmodel.DeadLetter) error {
			if match(l) {
				found = &l
			}
			return nil
		})
		if found != nil {
			return *found
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no matching dead letter of %s within %s", tenant, timeout)
	return readmodel.DeadLetter{}
}
