package console_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
)

// chromium returns the path of a headless Chromium (the Debian packages
// chromium-headless-shell or chromium; .ci/run installs one).
func chromium() string {
	for _, name := range []string{"chromium-headless-shell", "chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// The operator's day in a real browser: log in, find the LFW24 switch by
// its MaLo, read the NB's timeline with all twelve messages and its
// deadlines; then a partner gateway fails, the message to it becomes a
// Klärfall, the operator repairs the partner channel, re-drives the
// message and sees it delivered in the process's timeline. Screenshots of
// each page go to the test's artifact directory (go test -artifacts) and,
// with MAKO_CONSOLE_SCREENSHOTS=dir, to dir (docs/console).
func TestBrowser(t *testing.T) {
	path := chromium()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium found (apt-get install chromium-headless-shell); the browser test must run in CI")
		}
		t.Skip("no Chromium found (apt-get install chromium-headless-shell)")
	}
	e := setup(t)
	shots := []string{t.ArtifactDir()}
	if d := os.Getenv("MAKO_CONSOLE_SCREENSHOTS"); d != "" {
		shots = append(shots, d)
	}

	actx, cancelA := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.WindowSize(1400, 1000))...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		for _, d := range shots {
			if err := os.WriteFile(filepath.Join(d, name+".png"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Login.
	do("login", chromedp.Navigate(e.base+"/"), chromedp.WaitVisible(`input[name=benutzer]`))
	shot("01-anmeldung")
	do("login form", chromedp.SendKeys(`input[name=benutzer]`, "anna"), chromedp.SendKeys(`input[name=passwort]`, users["anna"].password),
		chromedp.Click(`form[action="/login"] button`), chromedp.WaitVisible(`#overview`))
	if s := text("main"); !strings.Contains(s, "gpke.nb.lieferbeginn") || !strings.Contains(s, "Rückstand je Worker") {
		t.Errorf("overview: %.400s", s)
	}
	shot("02-ueberblick")

	// Find the switch by MaLo.
	do("search", chromedp.SendKeys(`header input[name=q]`, demo.DefaultMaLo+"\n"), chromedp.WaitVisible(`#vorgaenge`))
	if s := text("#vorgaenge"); strings.Count(s, demo.DefaultMaLo) != 4 {
		t.Errorf("search by MaLo: %s", s)
	}
	shot("03-vorgaenge")

	// The NB's timeline: twelve messages, deadlines.
	do("open process", chromedp.Click(`a[href^="/vorgaenge/`+e.nbProcess+`"]`), chromedp.WaitVisible(`#verlauf`))
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#verlauf .entry.in, #verlauf .entry.out').length`))
	if err != nil || n != 12 {
		t.Errorf("timeline shows %d messages (%v), want 12", n, err)
	}
	if s := text("#verlauf"); !strings.Contains(s, "Frist gesetzt") || !strings.Contains(s, "fällig") {
		t.Errorf("timeline without deadlines: %.300s", s)
	}
	do("open an interchange", chromedp.Click(`#verlauf .entry.in details.edi summary`))
	shot("04-vorgang")

	// The LFN's gateway fails: the NB's partner channel to it points nowhere.
	do("break partner", chromedp.Navigate(e.base+"/partner/nb/9900000000004"), chromedp.WaitVisible(`#speichern`),
		chromedp.SetValue(`select[name=transport]`, "http"), chromedp.SetValue(`input[name=url]`, "http://127.0.0.1:9/gateway-down"),
		chromedp.SetValue(`input[name=grund]`, "Test: Gateway des LFN gestört"), chromedp.Click(`#speichern`), chromedp.WaitVisible(`.flash`))
	// A second switch (another MaLo): the NB's APERAK to the LFN cannot be
	// delivered and becomes a Klärfall after the 3 s retry window.
	d, err := ident.MaLoCheckDigit("4123456789")
	if err != nil {
		t.Fatal(err)
	}
	malo2 := "4123456789" + string(d)
	dctx, dcancel := context.WithCancel(context.Background())
	defer dcancel()
	demoDone := make(chan error, 1)
	go func() {
		tok, err := token(e.base, "anna")
		if err == nil {
			_, err = demo.RunLFW24(dctx, demo.Config{NatsURL: e.natsURL, API: e.base, APIOptions: []api.ClientOption{api.WithBearerToken(tok)},
				MaLo: malo2, Timeout: 60 * time.Second})
		}
		demoDone <- err
	}()
	letter := e.waitLetter(t, "nb", func(l readmodel.DeadLetter) bool {
		return l.Reason == string(deadletter.ReasonOutboxExhausted) && l.Receiver == "9900000000004" && l.State() == readmodel.LetterOpen
	}, 30*time.Second)
	do("overview with the disturbed partner", chromedp.Navigate(e.base+"/"), chromedp.WaitVisible(`#partnerlage`))
	if s := text("#partnerlage"); !strings.Contains(s, "gestört") {
		t.Errorf("the failing partner is not shown as disturbed: %s", s)
	}
	do("letters", chromedp.Navigate(e.base+"/klaerfaelle?grund=outbox_exhausted"), chromedp.WaitVisible(`#klaerfaelle`))
	if s := text("#klaerfaelle"); !strings.Contains(s, "Zustellung gescheitert") {
		t.Errorf("Klärfälle: %s", s)
	}
	shot("05-klaerfaelle")

	// Repair the channel, then re-drive the message.
	do("repair partner", chromedp.Navigate(e.base+"/partner/nb/9900000000004"), chromedp.WaitVisible(`#speichern`),
		chromedp.SetValue(`select[name=transport]`, "nats"), chromedp.SetValue(`input[name=subject]`, demo.IngestSubject("lfn")),
		chromedp.SetValue(`input[name=grund]`, "Gateway wieder erreichbar"), chromedp.Click(`#speichern`), chromedp.WaitVisible(`.flash`))
	if s := text("#aenderungen"); !strings.Contains(s, "Gateway wieder erreichbar") || !strings.Contains(s, "anna") {
		t.Errorf("partner audit: %s", s)
	}
	shot("06-partner")
	do("letters again", chromedp.Navigate(e.base+"/klaerfaelle?grund=outbox_exhausted"), chromedp.WaitVisible(`#klaerfaelle`))
	do("open letter", chromedp.Click(fmt.Sprintf(`a[href="/klaerfaelle/nb/%d"]`, letter.Sequence)), chromedp.WaitVisible(`#erneut`))
	shot("07-klaerfall")
	do("re-drive", chromedp.SendKeys(`form[action$="/erneut"] input[name=grund]`, "Partner wieder erreichbar"), chromedp.Click(`#erneut`),
		chromedp.WaitVisible(`.flash`))
	if s := text("#protokoll"); !strings.Contains(s, "Erneut eingestellt") || !strings.Contains(s, "anna") {
		t.Errorf("letter protocol: %s", s)
	}

	// The outcome in the process's timeline.
	proc := fmt.Sprintf("%s/vorgaenge/%s?mandant=nb", e.base, letter.ProcessID)
	deadline := time.Now().Add(20 * time.Second)
	for {
		do("timeline", chromedp.Navigate(proc), chromedp.WaitVisible(`#verlauf`))
		s := text("#verlauf")
		if strings.Contains(s, "Erneut eingestellt von anna") && strings.Contains(s, "Ergebnis: zugestellt") {
			if !strings.Contains(s, "Klärfall: Zustellung gescheitert") || !strings.Contains(s, "Zustellung: zugestellt nach erneutem Einstellen") {
				t.Errorf("timeline lacks the Klärfall: %.500s", s)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("re-drive outcome not in the timeline: %.2000s", s)
		}
		time.Sleep(500 * time.Millisecond)
	}
	do("scroll to the Klärfall", chromedp.Evaluate[chromedp.Void](`document.querySelector('#verlauf .entry.action').scrollIntoView()`))
	shot("08-vorgang-klaerfall")

	do("master data", chromedp.Navigate(e.base+"/stammdaten"), chromedp.WaitVisible(`#stammdaten`))
	shot("09-stammdaten")
	do("master data record", chromedp.Navigate(e.base+"/stammdaten/nb/"+demo.DefaultMaLo), chromedp.WaitVisible(`#speichern`))
	shot("10-stammdaten-malo")
	dcancel()
	<-demoDone
}
