package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/console"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
)

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, excerpt(body))
		}
	}
}

// Every page renders for an operator with every tenant, from what the
// pipeline produced for the LFW24 switch.
func TestPages(t *testing.T) {
	e := setup(t)
	c := e.login(t, "anna")
	malo := demo.DefaultMaLo

	body := c.must("/", 200)
	mustContain(t, "Überblick", body, "Überblick", "Vorgänge nach Status", "gpke.nb.lieferbeginn", "55001 ", "Nachrichten je Stunde",
		"Rückstand je Worker", "MAKO_EVENTS", "Zustellung je Partner", "9900000000004")
	body = c.must("/?teil=1", 200)
	mustContain(t, "Überblick (Aktualisierung)", body, `id="overview"`)

	body = c.must("/vorgaenge?q="+malo, 200)
	mustContain(t, "Suche nach MaLo", body, "4 Vorgänge", "· 1–4", "gesucht als MaLo", "gpke.nb.lieferbeginn", "gpke.lfn.lieferbeginn",
		"gpke.lfa.beendigung", malo, `title="55001 `, "/vorgaenge/"+e.nbProcess+"?mandant=nb")
	body = c.must("/vorgaenge?q=55007", 200)
	mustContain(t, "Suche nach PID", body, "gesucht als PID", e.nbProcess[:8])
	body = c.must("/vorgaenge?q=9900000000028&mandant=nb", 200)
	mustContain(t, "Suche nach MP-ID", body, "gesucht als MP-ID", e.nbProcess[:8])
	today := time.Now().Format("2006-01-02")
	body = c.must("/vorgaenge?q="+malo+"&mandant=lfn&von="+today+"&bis="+today+"&status=confirmed", 200)
	mustContain(t, "Filter", body, "1 Vorgänge", e.lfnProcess[:8])
	body = c.must("/vorgaenge?von=1999-01-01&bis=1999-01-02", 200)
	mustContain(t, "leerer Zeitraum", body, "0 Vorgänge")
	c.must("/vorgaenge?von=gestern", 400)
	// A process id leads to the process.
	status, _ := c.get("/vorgaenge?q=" + e.nbProcess)
	if status != http.StatusSeeOther {
		t.Errorf("search by process id: %d, want a redirect", status)
	}

	body = c.must("/vorgaenge/"+e.nbProcess+"?mandant=nb", 200)
	mustContain(t, "Vorgang", body, "6 empfangen, 6 gesendet", "Nachricht empfangen: UTILMD von 9900000000004 (55001",
		"Nachricht gesendet: UTILMD an 9900000000028 (55010", "55011", "55002", "55007", "55008", "Frist gesetzt", "fällig ",
		"Prüfidentifikator 55001", "NAD MS = Dokumenten-/Nachrichtenaussteller bzw. -absender", "syntaktisch einwandfrei", "ERP: de.mako.", "Rohdaten herunterladen")
	waitFor(t, func() bool {
		b := c.must("/vorgaenge/"+e.nbProcess+"?mandant=nb", 200)
		return strings.Count(b, "Zustellung: zugestellt") == 6 && !strings.Contains(b, "Zustellung: in Zustellung")
	}, "the delivery of the NB's six messages")
	if n := strings.Count(body, `class="entry in"`) + strings.Count(body, `class="entry out"`); n != 12 {
		t.Errorf("timeline has %d messages, want 12", n)
	}
	// Raw bytes of an outbound and an inbound message.
	for _, kind := range []string{"ereignis", "eingang"} {
		i := strings.Index(body, "rohdaten?mandant=nb&amp;"+kind+"=")
		if i < 0 {
			t.Fatalf("no %s download link", kind)
		}
		link := body[i:]
		link = strings.ReplaceAll(link[:strings.Index(link, `"`)], "&amp;", "&")
		raw := c.must("/vorgaenge/"+e.nbProcess+"/"+link, 200)
		if !strings.HasPrefix(raw, "UNA") && !strings.HasPrefix(raw, "UNB") {
			t.Errorf("%s download is not EDIFACT: %.60q", kind, raw)
		}
	}
	c.must("/vorgaenge/00000000-0000-4000-8000-000000000000", 404)

	mustContain(t, "Klärfälle", c.must("/klaerfaelle?status=alle", 200), "Klärfälle")
	body = c.must("/partner", 200)
	mustContain(t, "Partner", body, "9900000000004", "9900000000011", "nats")
	body = c.must("/partner/nb/9900000000004", 200)
	mustContain(t, "Partner-Detail", body, "mako.ingest.lfn", "Änderungsprotokoll")
	c.must("/partner/nb/neu", 200)
	body = c.must("/stammdaten", 200)
	mustContain(t, "Stammdaten", body, malo, "9900000000011")
	body = c.must("/stammdaten/nb/"+malo, 200)
	mustContain(t, "Stammdaten-Detail", body, "9900000000028 2026-01-01", "9900000000004 ")
	c.must("/stammdaten/nb/neu", 200)
	c.must("/static/htmx.min.js", 200)

	// The demo's customer (NAD+Z09, the ERP's Kunde) is on the pages of an
	// authorised user, never in the logs.
	mustContain(t, "Vorgang des LFN", c.must("/vorgaenge/"+e.lfnProcess+"?mandant=lfn", 200), "Erika Mustermann")
	if strings.Contains(e.stderr.String(), "Mustermann") {
		t.Errorf("customer name in makod's log")
	}
}

// Without a session the console sends to the login page, the API and
// /metrics answer 401, probes stay open; a wrong password does not log in.
func TestLoginRequired(t *testing.T) {
	e := setup(t)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]int{"/": 303, "/vorgaenge": 303, "/v1/processes": 401, "/metrics": 401, "/healthz": 200,
		"/readyz": 200, "/login": 200, "/static/console.css": 200} {
		resp, err := noRedirect.Get(e.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s without login: %d, want %d", path, resp.StatusCode, want)
		}
	}
	resp, err := noRedirect.PostForm(e.base+"/login", url.Values{"benutzer": {"anna"}, "passwort": {"falsch"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "fehler=1") || len(resp.Cookies()) > 0 {
		t.Errorf("wrong password: location %q, cookies %v", loc, resp.Cookies())
	}
	// A forged session cookie is refused.
	req, _ := http.NewRequest(http.MethodGet, e.base+"/", nil)
	req.AddCookie(&http.Cookie{Name: "mako_session", Value: "eyJuIjoiYW5uYSIsInQiOlsiKiJdfQ.AAAA"})
	resp, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("forged cookie: %d", resp.StatusCode)
	}
	// Logout ends the session.
	c := e.login(t, "anna")
	if status, _, _ := c.post("/logout", url.Values{}, true); status != http.StatusSeeOther {
		t.Fatalf("logout: %d", status)
	}
	if status, _ := c.get("/"); status != http.StatusSeeOther {
		t.Errorf("after logout: %d", status)
	}
}

// A user of tenant nb never sees or touches tenant lfn: pages, raw bytes,
// actions and the JSON API.
func TestTenantScoping(t *testing.T) {
	e := setup(t)
	c := e.login(t, "bernd")
	body := c.must("/vorgaenge?q="+demo.DefaultMaLo, 200)
	mustContain(t, "Suche (bernd)", body, "1 Vorgänge", e.nbProcess[:8])
	if strings.Contains(body, e.lfnProcess[:8]) || strings.Contains(body, "gpke.lfa.beendigung") {
		t.Errorf("bernd sees other tenants' processes")
	}
	c.must("/vorgaenge/"+e.lfnProcess, 404)
	c.must("/vorgaenge/"+e.lfnProcess+"?mandant=lfn", 404)
	c.must("/vorgaenge/"+e.lfnProcess+"/rohdaten?mandant=lfn&ereignis=1", 404)
	c.must("/vorgaenge?mandant=lfn", 404)
	c.must("/klaerfaelle?mandant=lfn", 404)
	c.must("/partner/lfn/9900000000011", 404)
	c.must("/stammdaten/lfn/"+demo.DefaultMaLo, 404)
	body = c.must("/partner", 200)
	if strings.Contains(body, "mako.ingest.nb") { // lfn's and lfa's channels to nb
		t.Errorf("bernd sees other tenants' partners")
	}
	// The NB's inbound message of the LFN is the NB's: visible; the LFN's own
	// copy in MAKO_INGEST (subject mako.ingest.lfn) is not reachable through
	// the NB process.
	body = c.must("/vorgaenge/"+e.nbProcess+"?mandant=nb", 200)
	mustContain(t, "NB-Vorgang (bernd)", body, "6 empfangen, 6 gesendet")
	for seq := 1; seq <= 40; seq++ {
		status, raw := c.get(fmt.Sprintf("/vorgaenge/%s/rohdaten?mandant=nb&eingang=%d", e.nbProcess, seq))
		if status == 200 && !strings.Contains(raw, "9900000000011") {
			t.Errorf("inbound %d through the NB process is not addressed to the NB", seq)
		}
	}
	// Actions on another tenant's letter and edits of its records are refused.
	lfnLetter := e.syntaxLetter(t, "lfn")
	for _, a := range []string{"zuweisen", "verwerfen", "erneut"} {
		if status, _, _ := c.post(fmt.Sprintf("/klaerfaelle/lfn/%d/%s", lfnLetter.Sequence, a), url.Values{"grund": {"x"}, "bearbeiter": {"bernd"}}, true); status != 404 {
			t.Errorf("bernd %s on an lfn letter: %d, want 404", a, status)
		}
	}
	if status, _, _ := c.post("/stammdaten/lfn/neu", url.Values{"malo": {"51238696781"}, "grund": {"x"}}, true); status != 404 {
		t.Errorf("bernd creates lfn master data: %d", status)
	}
	if status, _, _ := c.post("/partner/lfn/neu", url.Values{"mp_id": {"9900000000035"}, "grund": {"x"}}, true); status != 404 {
		t.Errorf("bernd creates an lfn partner: %d", status)
	}
	after, err := readmodel.NewStore(e.js).DeadLetter(context.Background(), "lfn", lfnLetter.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Actions) != 0 {
		t.Errorf("refused actions were recorded: %+v", after.Actions)
	}

	// The JSON API with bernd's bearer token.
	tok, err := token(e.base, "bernd")
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := apiGet(t, e.base, tok, "/v1/processes?tenant=lfn"); status != 403 {
		t.Errorf("API tenant=lfn for bernd: %d, want 403", status)
	}
	status, b := apiGet(t, e.base, tok, "/v1/processes")
	var list struct{ Processes []readmodel.Process }
	if err := json.Unmarshal([]byte(b), &list); status != 200 || err != nil || len(list.Processes) == 0 {
		t.Fatalf("API processes for bernd: %d %v %s", status, err, b)
	}
	for _, p := range list.Processes {
		if p.Tenant != "nb" {
			t.Errorf("API shows bernd a process of %s", p.Tenant)
		}
	}
	if status, _ := apiGet(t, e.base, tok, "/v1/processes/"+e.lfnProcess); status != 404 {
		t.Errorf("API lfn process for bernd: %d, want 404", status)
	}
	if status, _ := apiGet(t, e.base, tok, "/v1/deadletters?tenant=lfn"); status != 403 {
		t.Errorf("API lfn dead letters for bernd: %d", status)
	}
	if status, _ := apiGet(t, e.base, tok+"x", "/v1/processes"); status != 401 {
		t.Errorf("API with a tampered token: %d", status)
	}
	// anna's token sees every tenant.
	atok, err := token(e.base, "anna")
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := apiGet(t, e.base, atok, "/v1/processes/"+e.lfnProcess); status != 200 {
		t.Errorf("API lfn process for anna: %d", status)
	}
}

// syntaxLetter sends a broken interchange to tenant's ingest and returns its
// dead letter.
func (e *env) syntaxLetter(t *testing.T, tenant string) readmodel.DeadLetter {
	t.Helper()
	ref := fmt.Sprintf("BAD%d", time.Now().UnixNano()%1e9)
	bad := "UNA:+.? 'UNB+UNOC:3+9900000000035:500+9900000000011:500+261120:0915+" + ref + "'UNH+1+UTILMD:D:11A:UN:S2.2'BGM+E01+DOK1'UNT+99+1'UNZ+1+" + ref + "'"
	if _, err := e.js.Publish(context.Background(), "mako.ingest."+tenant, []byte(bad)); err != nil {
		t.Fatal(err)
	}
	return e.waitLetter(t, tenant, func(l readmodel.DeadLetter) bool { return l.InterchangeRef == ref }, 15*time.Second)
}

// Every state-changing request needs the session's CSRF token.
func TestCSRF(t *testing.T) {
	e := setup(t)
	c := e.login(t, "anna")
	l := e.syntaxLetter(t, "nb")
	path := fmt.Sprintf("/klaerfaelle/nb/%d/zuweisen", l.Sequence)
	if status, _, _ := c.post(path, url.Values{"bearbeiter": {"anna"}}, false); status != http.StatusForbidden {
		t.Errorf("action without CSRF token: %d, want 403", status)
	}
	if status, _, _ := c.post(path, url.Values{"bearbeiter": {"anna"}, "csrf": {"falsch"}}, false); status != http.StatusForbidden {
		t.Errorf("action with a wrong CSRF token: %d, want 403", status)
	}
	other := e.login(t, "bernd")
	if status, _, _ := c.post(path, url.Values{"bearbeiter": {"anna"}, "csrf": {other.csrf}}, false); status != http.StatusForbidden {
		t.Errorf("action with another session's CSRF token: %d, want 403", status)
	}
	for _, p := range []string{"/partner/nb/neu", "/stammdaten/nb/neu", "/logout"} {
		if status, _, _ := c.post(p, url.Values{}, false); status != http.StatusForbidden {
			t.Errorf("POST %s without CSRF token: %d", p, status)
		}
	}
	time.Sleep(300 * time.Millisecond)
	got, err := readmodel.NewStore(e.js).DeadLetter(context.Background(), "nb", l.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Actions) != 0 {
		t.Fatalf("refused action recorded: %+v", got.Actions)
	}
	if status, _, _ := c.post(path, url.Values{"bearbeiter": {"anna"}}, true); status != http.StatusSeeOther {
		t.Errorf("action with CSRF token: %d", status)
	}
}

// Klärfall actions: assign, discard (with a reason only), re-drive; each
// recorded with who, when and why, and shown on the letter and in the
// list filters.
func TestLetterActions(t *testing.T) {
	e := setup(t)
	c := e.login(t, "anna")
	l := e.syntaxLetter(t, "nb")
	base := fmt.Sprintf("/klaerfaelle/nb/%d", l.Sequence)
	body := c.must(base, 200)
	mustContain(t, "Klärfall", body, "Syntaxfehler (CONTRL)", "offen", "BAD", "Erneut einstellen", "UNB", "Nutzdaten-Kopfsegment")
	raw := c.must(base+"/rohdaten", 200)
	if !strings.HasPrefix(raw, "UNA") {
		t.Errorf("raw letter bytes: %.40q", raw)
	}
	mustContain(t, "Liste offen", c.must("/klaerfaelle?mandant=nb&grund=syntax_error", 200), base)

	if status, _, loc := c.post(base+"/zuweisen", url.Values{"bearbeiter": {"bernd"}}, true); status != 303 || !strings.HasPrefix(loc, base) {
		t.Fatalf("assign: %d %s", status, loc)
	}
	waitFor(t, func() bool { return strings.Contains(c.must(base, 200), "zugewiesen an bernd") }, "assignment")
	mustContain(t, "Filter Bearbeiter", c.must("/klaerfaelle?bearbeiter=bernd", 200), base)

	// Re-drive: the interchange goes to ingest again and fails again.
	if status, _, _ := c.post(base+"/erneut", url.Values{"grund": {"Test"}}, true); status != 303 {
		t.Fatalf("re-drive: %d", status)
	}
	again := e.waitLetter(t, "nb", func(x readmodel.DeadLetter) bool {
		return x.Sequence != l.Sequence && x.InterchangeRef == l.InterchangeRef
	}, 15*time.Second)
	waitFor(t, func() bool {
		return strings.Contains(c.must(base, 200), fmt.Sprintf("erneut gescheitert: Klärfall %d", again.Sequence))
	}, "re-drive outcome")
	body = c.must(base, 200)
	mustContain(t, "Protokoll", body, "Erneut eingestellt", "anna", "Test", "erneut eingestellt")

	// Discard needs a reason.
	if status, _, _ := c.post(base+"/verwerfen", url.Values{"grund": {" "}}, true); status != 400 {
		t.Errorf("discard without reason: %d, want 400", status)
	}
	if status, _, _ := c.post(base+"/verwerfen", url.Values{"grund": {"Absender informiert"}}, true); status != 303 {
		t.Fatalf("discard: %d", status)
	}
	waitFor(t, func() bool { return strings.Contains(c.must(base, 200), "Absender informiert") }, "discard")
	body = c.must(base, 200)
	mustContain(t, "verworfen", body, "Verworfen", "verworfen")
	if strings.Contains(body, `id="erneut"`) {
		t.Errorf("a discarded letter offers re-drive")
	}
	if status, _, _ := c.post(base+"/erneut", url.Values{}, true); status != 400 {
		t.Errorf("re-drive of a discarded letter: %d, want 400", status)
	}
	if strings.Contains(c.must("/klaerfaelle?mandant=nb", 200), base+`"`) {
		t.Errorf("discarded letter still listed as open")
	}
	mustContain(t, "Liste verworfen", c.must("/klaerfaelle?mandant=nb&status=discarded", 200), base)
	c.must("/klaerfaelle/nb/999999999", 404)
	if status, _, _ := c.post(base+"/unbekannt", url.Values{}, true); status != 404 {
		t.Errorf("unknown action: %d", status)
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s not visible within 15 s", what)
		}
		time.Sleep(150 * time.Millisecond)
	}
}

// Partner and master data: validation errors are shown, saved changes are
// audited with who, when and why.
func TestRecordEdits(t *testing.T) {
	e := setup(t)
	c := e.login(t, "anna")
	dir := t.TempDir()
	status, body, _ := c.post("/partner/nb/neu", url.Values{"mp_id": {"9900000000036"}, "transport": {"http"}, "url": {"ftp://x"}, "grund": {"neu"}}, true)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="fehler"`) {
		t.Errorf("invalid MP-ID accepted: %d", status)
	}
	status, body, _ = c.post("/partner/nb/neu", url.Values{"mp_id": {"9900000000035"}, "transport": {"http"}, "url": {"ftp://x"}, "grund": {"neu"}}, true)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "url") {
		t.Errorf("invalid URL accepted: %d %s", status, excerpt(body))
	}
	status, _, _ = c.post("/partner/nb/neu", url.Values{"mp_id": {"9900000000035"}, "name": {"LF X"}, "rollen": {"lf"}, "transport": {"file"}, "verzeichnis": {dir}}, true)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("change without a reason accepted: %d", status)
	}
	status, _, loc := c.post("/partner/nb/neu", url.Values{"mp_id": {"9900000000035"}, "name": {"LF X"}, "rollen": {"lf"}, "transport": {"file"}, "verzeichnis": {dir}, "grund": {"Neuer Lieferant"}}, true)
	if status != 303 || loc != "/partner/nb/9900000000035?ok=gespeichert" {
		t.Fatalf("create partner: %d %s", status, loc)
	}
	body = c.must("/partner/nb/9900000000035", 200)
	mustContain(t, "Partner", body, "LF X", dir, "anna", "Neuer Lieferant", "create")
	status, _, _ = c.post("/partner/nb/neu", url.Values{"mp_id": {"9900000000035"}, "transport": {"file"}, "verzeichnis": {dir + "/y"}, "grund": {"doppelt"}}, true)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("second create of the same partner: %d", status)
	}
	// A stale revision is refused.
	status, _, _ = c.post("/partner/nb/9900000000035", url.Values{"transport": {"file"}, "verzeichnis": {dir + "/z"}, "revision": {"1"}, "grund": {"alt"}}, true)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("stale revision accepted: %d", status)
	}

	malo := "51238696781"
	status, body, _ = c.post("/stammdaten/nb/neu", url.Values{"malo": {malo}, "sparte": {"Strom"}, "netzbetreiber": {"9900000000011"},
		"zeitraeume": {"9900000000004 2026-01-01 2026-06-01\n9900000000028 2026-05-01"}, "grund": {"Test"}}, true)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "overlap") {
		t.Errorf("overlapping periods accepted: %d %s", status, excerpt(body))
	}
	status, _, _ = c.post("/stammdaten/nb/neu", url.Values{"malo": {"51238696782"}, "sparte": {"Strom"}, "grund": {"Test"}}, true)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("MaLo with a wrong check digit accepted: %d", status)
	}
	status, _, loc = c.post("/stammdaten/nb/neu", url.Values{"malo": {malo}, "sparte": {"Strom"}, "netzbetreiber": {"9900000000011"}, "netzgebiet": {"Nord"},
		"zeitraeume": {"9900000000004 2026-01-01 2026-06-01\n9900000000028 2026-06-01"}, "grund": {"Ersterfassung"}}, true)
	if status != 303 {
		t.Fatalf("create master data: %d %s", status, loc)
	}
	body = c.must("/stammdaten/nb/"+malo, 200)
	mustContain(t, "Stammdaten", body, "Nord", "9900000000028 2026-06-01", "Ersterfassung", "anna")
	rev := body[strings.Index(body, `name="revision" value="`)+len(`name="revision" value="`):]
	rev = rev[:strings.Index(rev, `"`)]
	status, _, _ = c.post("/stammdaten/nb/"+malo, url.Values{"sparte": {"Strom"}, "netzbetreiber": {"9900000000011"}, "netzgebiet": {"Süd"},
		"zeitraeume": {"9900000000004 2026-01-01"}, "revision": {rev}, "grund": {"Netzgebiet korrigiert"}}, true)
	if status != 303 {
		t.Fatalf("update master data: %d", status)
	}
	body = c.must("/stammdaten/nb/"+malo, 200)
	mustContain(t, "Stammdaten geändert", body, "Süd", "Netzgebiet korrigiert", "update")

	// Gas master data: Marktgebiet, Bilanzkreis, Gasqualität, Druckebene.
	gasMaLo := "41373559241"
	status, _, _ = c.post("/stammdaten/nb/neu", url.Values{"malo": {gasMaLo}, "sparte": {"Gas"}, "netzbetreiber": {"9800000000014"},
		"marktgebiet": {"THE"}, "bilanzkreis": {"THE0BFH027950000"}, "gasqualitaet": {"L-Gas"}, "druckebene": {"Niederdruck"},
		"zeitraeume": {"9800000000021 2026-01-01"}, "grund": {"Gas-Ersterfassung"}}, true)
	if status != 303 {
		t.Fatalf("create gas master data: %d", status)
	}
	body = c.must("/stammdaten/nb/"+gasMaLo, 200)
	mustContain(t, "Gas-Stammdaten", body, `value="THE"`, `value="THE0BFH027950000"`, "<option selected>L-Gas</option>", "<option selected>Niederdruck</option>")
	mustContain(t, "Stammdaten-Liste", c.must("/stammdaten", 200), "Gas (L-Gas)")
	status, body, _ = c.post("/stammdaten/nb/neu", url.Values{"malo": {"57000000019"}, "sparte": {"Strom"}, "gasqualitaet": {"H-Gas"}, "grund": {"x"}}, true)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, "gas master data on a Strom MaLo") {
		t.Errorf("gas data on a Strom MaLo accepted: %d %s", status, excerpt(body))
	}
}

// makod refuses a non-loopback HTTP address without authentication.
func TestRequireAuth(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:8080": true, "[::1]:8080": true, "localhost:8080": true, "": true,
		"0.0.0.0:8080": false, "192.168.1.5:8080": false, ":8080": false} {
		if err := console.RequireAuth(addr, false); (err == nil) != ok {
			t.Errorf("RequireAuth(%q, false) = %v", addr, err)
		}
		if err := console.RequireAuth(addr, true); err != nil {
			t.Errorf("RequireAuth(%q, true) = %v", addr, err)
		}
	}
	for k, v := range daemonEnv {
		t.Setenv(k, v)
	}
	err := app.RunDaemon(context.Background(), []string{"--data", t.TempDir(), "--listen", "127.0.0.1:0", "--http", "0.0.0.0:0", "--log-level", "error"}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("makod on 0.0.0.0 without auth: %v", err)
	}
	err = app.RunWorkerWith(context.Background(), "ingest", []string{"--http", "0.0.0.0:0", "--nats-url", "nats://127.0.0.1:1"}, &strings.Builder{}, func(*app.Wiring) []app.Actor { return nil })
	if err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("worker on 0.0.0.0 without auth: %v", err)
	}
}

func TestParseUsers(t *testing.T) {
	h, err := console.HashPassword("x")
	if err != nil {
		t.Fatal(err)
	}
	us, err := console.ParseUsers(strings.NewReader("# c\n\nanna:"+h+":nb,lfn\nbob:"+h+":*\n"), "f")
	if err != nil || len(us) != 2 || len(us[0].Tenants) != 2 || us[1].Tenants[0] != "*" {
		t.Fatalf("%+v %v", us, err)
	}
	for _, bad := range []string{"anna:" + h, "anna:plain:nb", "anna:" + h + ":NB!", "a b:" + h + ":nb", "anna:" + h + ":nb\nanna:" + h + ":nb"} {
		if _, err := console.ParseUsers(strings.NewReader(bad), "f"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	a, err := console.NewAuth(console.WithUsers(us))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.CheckPassword("anna", "x"); !ok {
		t.Error("right password refused")
	}
	if _, ok := a.CheckPassword("anna", "y"); ok {
		t.Error("wrong password accepted")
	}
	if _, ok := a.CheckPassword("nobody", "x"); ok {
		t.Error("unknown user accepted")
	}
	if _, err := console.NewAuth(); err == nil {
		t.Error("auth without users or OIDC accepted")
	}
	if _, err := console.NewAuth(console.WithUsers(us), console.WithSessionKey([]byte("short"))); err == nil {
		t.Error("short session key accepted")
	}
}
