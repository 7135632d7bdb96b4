package aperak_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/edifact/edifacttest"
	"github.com/mako-engine/mako/pkg/fv"
)

// A 55001 whose DTM+137 value is malformed (issue 12: "20261120X915")
// cannot be answered by the regular builder; the fallback still answers it:
// APERAK 313 Z35 naming the faulty segment, the message date taken from UNB
// S004, addressed back to the sender.
func TestFallbackAnswersMalformedDTM(t *testing.T) {
	bad := strings.Replace(edifacttest.UTILMD55001, "DTM+137:202611200915?+00:303", "DTM+137:20261120X915?+00:303", 1)
	ix, err := edifact.Parse([]byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	m := &ix.Messages[0]
	txs := edifact.Transactions(m)
	if len(txs) != 1 {
		t.Fatalf("%d transactions", len(txs))
	}
	if _, err := aperak.ReferenceFrom(ix, m, &txs[0]); err == nil {
		t.Fatal("ReferenceFrom accepts the malformed DTM; the test premise is gone")
	}
	at := time.Date(2026, 11, 20, 9, 20, 0, 0, time.UTC)
	out, pr, note, err := aperak.Fallback(ix, m, &txs[0], fv.MustParse("FV2610"), "FB1", at, aperak.Problem{Code: "Z29"})
	if err != nil {
		t.Fatal(err)
	}
	if note == "" || pr.Code != "Z35" {
		t.Errorf("note %q, problem %+v: want a note on the substituted message date and Z35", note, pr)
	}
	got := string(out)
	for _, want := range []string{
		"UNB+UNOC:3+9900000000011:500+9900000000004:500+", "BGM+313+FB1'", "RFF+ACE:MK26112000017'",
		"DTM+171:202611200915?+00:303'", "RFF+AGO:DOK26112000001'", "RFF+TN:VG26112000001'", "ERC+Z35'",
		"FTX+Z02+++DTM?+137:DTM?+137?:20261120X915???+00?:303'",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("fallback APERAK lacks %q:\n%s", want, got)
		}
	}
	if _, err := edifact.Parse(out); err != nil {
		t.Fatalf("fallback APERAK does not parse: %v", err)
	}
	// A message with readable values gets the fallback problem, with the
	// message type as location when the code requires one.
	ix, _ = edifact.Parse([]byte(edifacttest.UTILMD55001))
	m = &ix.Messages[0]
	txs = edifact.Transactions(m)
	out, _, note, err = aperak.Fallback(ix, m, &txs[0], fv.MustParse("FV2610"), "FB2", at, aperak.Problem{Code: "Z29"})
	if err != nil || note != "" {
		t.Fatalf("fallback: %v, note %q", err, note)
	}
	if !strings.Contains(string(out), "ERC+Z29'") || !strings.Contains(string(out), "FTX+Z02+++UTILMD'") {
		t.Fatalf("fallback problem:\n%s", out)
	}
}

// A UTILMD Gas 44001 carries DTM values in formats ParseDTM does not
// interpret (DTM+Z20 in 802 "Monat"); FaultyValue must not report them as
// faulty (the fallback would blame the sender's correct segment with Z35),
// while a really malformed 303 value in the same message still is.
func TestFaultyValueIgnoresUninterpretedFormats(t *testing.T) {
	raw, err := os.ReadFile("../../ahb/testdata/realistic-fv2610-gas/utilmd-gas-44001.edi")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), ":802'") {
		t.Fatal("the 44001 sample has no format-802 DTM; the test premise is gone")
	}
	ix, err := edifact.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	m := &ix.Messages[0]
	txs := edifact.Transactions(m)
	if p, ok := aperak.FaultyValue(m, &txs[0]); ok {
		t.Fatalf("FaultyValue reports %+v in a clean 44001", p)
	}
	bad := strings.Replace(string(raw), "DTM+92:", "DTM+92:X", 1)
	ix, err = edifact.Parse([]byte(bad))
	if err != nil {
		t.Fatal(err)
	}
	m = &ix.Messages[0]
	txs = edifact.Transactions(m)
	p, ok := aperak.FaultyValue(m, &txs[0])
	if !ok || p.Code != "Z35" || p.Location == nil {
		t.Fatalf("FaultyValue = %+v, %v: want Z35 at the malformed DTM+92", p, ok)
	}
}
