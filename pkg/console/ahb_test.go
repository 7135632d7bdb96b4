package console_test

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/bench"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
)

// Every message the LFW24 demo exchanges conforms to its AHB: each
// timeline shows "AHB: einwandfrei" for each of its interchanges and no
// AHB finding or unvalidated message.
func TestAHBDemoClean(t *testing.T) {
	e := setup(t)
	c := e.login(t, "anna")
	for _, p := range e.demo.Processes {
		body := c.must("/vorgaenge/"+p.ProcessID+"?mandant="+p.Tenant, 200)
		msgs := strings.Count(body, `class="entry in"`) + strings.Count(body, `class="entry out"`)
		if msgs == 0 {
			t.Errorf("%s %s: no message in the timeline", p.Tenant, p.Workflow)
		}
		// The summary line of each message and its AHB line in the detail.
		if n := strings.Count(body, "AHB: einwandfrei"); n != 2*msgs {
			t.Errorf("%s %s: %d × \"AHB: einwandfrei\" for %d messages, want %d", p.Tenant, p.Workflow, n, msgs, 2*msgs)
		}
		for _, bad := range []string{"AHB-Befund", "AHB nicht geprüft", "ahb-finding"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s %s: timeline shows %q", p.Tenant, p.Workflow, bad)
			}
		}
		if p.Tenant == "nb" && p.Workflow == "gpke.nb.lieferbeginn" {
			mustContain(t, "Vorgang AHB", body, "UTILMD 1 · PID 55001 · FV2610 · AHB: einwandfrei")
		}
	}
}

// A 55001 whose transaction reason (STS 9013) is outside the AHB's code
// list is dead-lettered by ingest (ahb_violation); its Klärfall shows the
// finding inline at the faulty STS segment, with rule, expression, APERAK
// code and the FV.
func TestAHBLetterFinding(t *testing.T) {
	e := setup(t)
	c := e.login(t, "anna")
	ref := fmt.Sprintf("AHB%d", time.Now().UnixNano()%1e9)
	ok := string(bench.Interchange(ref, "VG"+ref))
	const good, bad = "STS+7++E03+ZW4'", "STS+7++E03+ZW3'"
	if !strings.Contains(ok, good) {
		t.Fatalf("%q not in the example", good)
	}
	if _, err := e.js.Publish(context.Background(), "mako.ingest.nb", []byte(strings.Replace(ok, good, bad, 1))); err != nil {
		t.Fatal(err)
	}
	l := e.waitLetter(t, "nb", func(l readmodel.DeadLetter) bool { return l.InterchangeRef == ref }, 15*time.Second)
	if l.Reason != string(deadletter.ReasonAHB) {
		t.Fatalf("letter reason %q, want %s", l.Reason, deadletter.ReasonAHB)
	}
	body := c.must(fmt.Sprintf("/klaerfaelle/nb/%d", l.Sequence), 200)
	// ZW3 also turns the customer group's condition false: a second finding
	// that rejects nothing.
	mustContain(t, "Klärfall AHB", body, "UTILMD 1 · PID 55001 · FV2610 · 2 AHB-Befunde", "APERAK Z39", "kein Ablehnungsgrund")
	// Each finding sits in the table row of its segment.
	rows := regexp.MustCompile(`(?s)<tr[^>]*>.*?</tr>`).FindAllString(body, -1)
	want := map[string]string{"APERAK Z39": "STS+7++E03+ZW3", "not-allowed@55001:SG4/SG8/SEQ+Z01": "SEQ+Z01"}
	hits := 0
	for _, r := range rows {
		r = html.UnescapeString(r)
		if !strings.Contains(r, "ahb-finding") {
			continue
		}
		hits++
		found := false
		for what, seg := range want {
			if strings.Contains(r, what) {
				found = true
				if !strings.Contains(r, "<code>"+seg+"</code>") || !strings.Contains(r, "@55001:") || !strings.Contains(r, "FV2610") {
					t.Errorf("%s not at %s: %s", what, seg, r)
				}
			}
		}
		if !found {
			t.Errorf("unexpected AHB finding: %s", r)
		}
	}
	if hits != len(want) {
		t.Errorf("%d rows with an AHB finding, want %d", hits, len(want))
	}
	// The Z39 finding shows its rule and AHB expression.
	mustContain(t, "Klärfall AHB-Regel", html.UnescapeString(body), "code@55001:SG4/STS+7/9013", "· <code>X</code> · APERAK Z39")
}

// A message pkg/ahb cannot validate (a PID its AHB data does not have)
// gets a neutral note on the Klärfall page, not a finding or an error page.
func TestAHBNotValidated(t *testing.T) {
	e := setup(t)
	c := e.login(t, "anna")
	ref := fmt.Sprintf("NOAHB%d", time.Now().UnixNano()%1e9)
	msg := strings.Replace(string(bench.Interchange(ref, "VG"+ref)), "RFF+Z13:55001'", "RFF+Z13:55999'", 1)
	if _, err := e.js.Publish(context.Background(), "mako.ingest.nb", []byte(msg)); err != nil {
		t.Fatal(err)
	}
	l := e.waitLetter(t, "nb", func(l readmodel.DeadLetter) bool { return l.InterchangeRef == ref }, 15*time.Second)
	body := c.must(fmt.Sprintf("/klaerfaelle/nb/%d", l.Sequence), 200)
	mustContain(t, "Klärfall ohne AHB", body, `class="ahb neutral"`, "AHB nicht geprüft: ", "55999")
	if strings.Contains(body, "ahb-finding") || strings.Contains(body, "AHB-Befund") {
		t.Errorf("unvalidated message shows AHB findings")
	}
}
