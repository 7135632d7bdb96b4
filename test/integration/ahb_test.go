package integration

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/metrics"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/workers/ingest"
)

// utilmd55002 is a realistic, AHB-conformant 55002 (the NB's confirmation,
// pkg/ahb/testdata) from mpLF to mpNB with our interchange reference,
// transaction id and the transaction it answers (RFF+TN).
func utilmd55002(t *testing.T, ref, tx, answers string) []byte {
	t.Helper()
	b, err := os.ReadFile("../../pkg/ahb/testdata/realistic-fv2610-strom/utilmd-55002.edi")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.NewReplacer("9900800000020", mpLF, "9900800000013", mpNB, "IC550021116", ref,
		"IDE+24+NBV2611160011", "IDE+24+"+tx, "RFF+TN:ANMV2611160001", "RFF+TN:"+answers).Replace(string(b)))
}

// TestInboundAHBViolations runs the real pipeline: each 55001 that violates
// its AHB gets an APERAK 313 with the error code of the finding and the
// location of the faulty segment (and that APERAK conforms to its own
// AHB), a dead letter with the findings, and no process step; a MIG
// violation gets a CONTRL. The alert metric counts every refusal.
func TestInboundAHBViolations(t *testing.T) {
	_, js := startServer(t)
	cfg := defaultConfig()
	cfg.Metrics = metrics.New()
	sys := newSystem(t, js, cfg)
	startWorkers(t, sys, allWorkers...)

	ok := string(utilmd55001("AHB0", "VGAHB0"))
	for _, c := range []struct{ ref, old, new string }{
		{"AHB1", "DTM+92:202611232300?+00:303'", ""},                                  // Z29
		{"AHB2", "DTM+137:202611200915?+00:303'", "DTM+137:20261120X915?+00:303'"},    // Z35
		{"AHB3", "STS+7++E03+ZW4'", "STS+7++E03+ZW3'"},                                // Z39
		{"AHB4", "BGM+E01+DOKVGAHB4'", "BGM+E01+DOK" + strings.Repeat("1", 40) + "'"}, // MIG an..35: CONTRL
	} {
		msg := strings.ReplaceAll(ok, "AHB0", c.ref)
		if c.new == "" {
			// One segment less: keep UNT's count right (a syntax fault otherwise).
			msg = strings.Replace(msg, "UNT+23+1'", "UNT+22+1'", 1)
		}
		if !strings.Contains(msg, c.old) {
			t.Fatalf("%s: %q not in the message", c.ref, c.old)
		}
		publishIngest(t, js, "nb", []byte(strings.Replace(msg, c.old, c.new, 1)))
	}
	want := map[string]string{"AHB1": "Z29", "AHB2": "Z35", "AHB3": "Z39"}
	wantLoc := map[string]string{"AHB1": "", "AHB2": "DTM+137:20261120X915?+00:303", "AHB3": "STS+7++E03+ZW3"}
	msgs := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 4, 10*time.Second)
	time.Sleep(300 * time.Millisecond)
	if n := count(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>"); len(msgs) != 4 || n != 4 {
		t.Fatalf("%d (%d) outbox messages, want 3 APERAKs and 1 CONTRL", len(msgs), n)
	}
	contrls := 0
	for _, m := range msgs {
		ix, rep, err := edifact.Analyze(m.Data())
		must(t, err)
		if !rep.Clean() {
			t.Fatalf("answer with syntax findings: %v", rep.Findings)
		}
		am := &ix.Messages[0]
		if am.Type() == "CONTRL" {
			contrls++
			uci, _ := am.Find(0, "UCI", "")
			ucd, _ := am.Find(0, "UCD", "")
			if uci == nil || uci.Value(0, 0) != "AHB4" || ucd == nil || ucd.Value(0, 0) != "39" {
				t.Fatalf("CONTRL does not reject AHB4 with UCD 39:\n%s", m.Data())
			}
			continue
		}
		bgm, _ := am.Find(0, "BGM", "")
		ace, _ := am.Find(0, "RFF", "ACE")
		erc, _ := am.Find(0, "ERC", "")
		z02, _ := am.Find(0, "FTX", "Z02")
		if bgm == nil || bgm.Value(0, 0) != "313" || ace == nil || erc == nil || z02 == nil {
			t.Fatalf("not a 313 with reference, code and location:\n%s", m.Data())
		}
		ref := ace.Value(0, 1)
		if code := erc.Value(0, 0); code != want[ref] {
			t.Errorf("APERAK for %s: ERC %s, want %s", ref, code, want[ref])
		}
		if l := wantLoc[ref]; l != "" && z02.Value(3, 1) != l {
			t.Errorf("APERAK for %s: FTX+Z02 %s, want the faulty segment %s", ref, z02.Canonical(), l)
		}
		delete(want, ref)
		// What we answer conforms to the APERAK AHB.
		arep, err := ahb.Validate(am)
		must(t, err)
		for _, f := range arep.Findings {
			t.Errorf("APERAK for %s: AHB finding %s: %s", ref, f.Rule, f.Text)
		}
	}
	if len(want) != 0 || contrls != 1 {
		t.Fatalf("no APERAK for %v; %d CONTRLs", want, contrls)
	}
	dl := collect(t, js, "MAKO_DLQ", "mako.dlq.nb", 4, 5*time.Second)
	reasons := map[deadletter.Reason]int{}
	for _, m := range dl {
		l, err := deadletter.Decode(m.Data())
		must(t, err)
		reasons[l.Reason]++
		if l.Reason == deadletter.ReasonAHB && (!strings.Contains(l.Detail, "@55001:") || !strings.Contains(l.Detail, "APERAK 313")) {
			t.Errorf("dead letter detail lacks the findings or the answer: %s", l.Detail)
		}
	}
	if reasons[deadletter.ReasonAHB] != 3 || reasons[deadletter.ReasonSyntax] != 1 {
		t.Fatalf("dead letters %v, want 3 %s and 1 %s", reasons, deadletter.ReasonAHB, deadletter.ReasonSyntax)
	}
	time.Sleep(300 * time.Millisecond)
	if n := count(t, js, "MAKO_EVENTS", "mako.evt.>"); n != 0 {
		t.Fatalf("%d commits for rejected transactions", n)
	}
	if n := count(t, js, "MAKO_COMMANDS", ">"); n != 0 {
		t.Fatalf("%d commands for rejected transactions", n)
	}
	if got := counter(t, cfg.Metrics, "mako_ahb_refused_total", map[string]string{"direction": "inbound", "pid": "55001"}); got != 4 {
		t.Fatalf("mako_ahb_refused_total{inbound,55001} = %v, want 4", got)
	}
}

// TestInboundAHBOff: with the validation off, the same violation reaches the
// workflow (the measurement baseline of mako bench pipeline --ahb=false).
func TestInboundAHBOff(t *testing.T) {
	_, js := startServer(t)
	cfg := defaultConfig()
	cfg.IngestOptions = append(cfg.IngestOptions, ingest.WithAHBValidation(false))
	sys := newSystem(t, js, cfg)
	startWorkers(t, sys, allWorkers...)
	bad := bytes.Replace(utilmd55001("AHBOFF", "VGAHBOFF"), []byte("STS+7++E03+ZW4'"), []byte("STS+7++E03+ZW3'"), 1)
	publishIngest(t, js, "nb", bad)
	for deadline := time.Now().Add(10 * time.Second); count(t, js, "MAKO_EVENTS", "mako.evt.>") == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the transaction did not reach its workflow with the AHB validation off")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// counter reads a counter of m by name and labels (0 if absent).
func counter(t *testing.T, m *metrics.Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	fams, err := m.Registry.Gather()
	must(t, err)
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, mt := range f.GetMetric() {
			for _, lp := range mt.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue next
				}
			}
			return mt.GetCounter().GetValue()
		}
	}
	return 0
}

// nonConformantResponder builds an APERAK 313 that its own AHB rejects (no
// ERC group): what a defective builder would send.
type nonConformantResponder struct{}

func (nonConformantResponder) Reject(r ingest.Rejection) ([]byte, string, error) {
	var def ingest.APERAKResponder
	out, ref, err := def.Reject(r)
	if err != nil {
		return nil, "", err
	}
	return bytes.Replace(out, []byte("ERC+"+r.Code+"'"), nil, 1), ref, nil
}

// TestOwnAPERAKIsCheckedAgainstItsAHB: an APERAK that ingest builds is run
// through its AHB before it is sent; one that violates it never leaves — the
// sender gets the fallback APERAK (which conforms) and the operator an alert.
func TestOwnAPERAKIsCheckedAgainstItsAHB(t *testing.T) {
	_, js := startServer(t)
	cfg := defaultConfig()
	cfg.Metrics = metrics.New()
	cfg.IngestOptions = append(cfg.IngestOptions, ingest.WithResponder(nonConformantResponder{}))
	sys := newSystem(t, js, cfg)
	startWorkers(t, sys, allWorkers...)

	msg := strings.Replace(string(utilmd55001("OWN1", "VGOWN1")), "STS+7++E03+ZW4'", "STS+7++E03+ZW3'", 1) // Z39
	publishIngest(t, js, "nb", []byte(msg))
	msgs := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 1, 10*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d outbox messages, want the fallback APERAK", len(msgs))
	}
	ix, err := edifact.Parse(msgs[0].Data())
	must(t, err)
	am := &ix.Messages[0]
	if erc, _ := am.Find(0, "ERC", ""); erc == nil {
		t.Fatalf("the non-conformant APERAK left:\n%s", msgs[0].Data())
	}
	rep, err := ahb.Validate(am)
	must(t, err)
	if len(rep.Rejecting()) != 0 {
		t.Errorf("fallback APERAK violates its AHB: %+v", rep.Rejecting())
	}
	if n := counter(t, cfg.Metrics, "mako_failure_answer_total", map[string]string{"stage": "ingest", "code": "Z39"}); n != 1 {
		t.Errorf("mako_failure_answer_total = %v, want 1 (the operator alert)", n)
	}
}
