package ahb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
)

// contrlBreakers break an interchange of the synthetic corpus (one message,
// UNH/UNT 0062 and UNB/UNZ 0020 "GENERATED00001") in the ways the syntax
// check reports: at interchange level, in UNH/UNT and in the body.
var contrlBreakers = []struct {
	name  string
	apply func(string) string
}{
	{"as is", func(s string) string { return s }},
	{"UNT count", func(s string) string { return strings.Replace(s, "UNT+", "UNT+9", 1) }},
	{"UNT reference", func(s string) string { return strings.Replace(s, "UNT+", "UNT+0+X", 1) }},
	{"UNZ reference", func(s string) string { return strings.Replace(s, "UNZ+1+", "UNZ+1+X", 1) }},
	{"UNZ count", func(s string) string { return strings.Replace(s, "UNZ+1+", "UNZ+2+", 1) }},
	{"no UNZ", func(s string) string { return s[:strings.Index(s, "UNZ+")] }},
	{"stray segment after the message", func(s string) string { return strings.Replace(s, "UNZ+", "FTX+X'UNZ+", 1) }},
	{"stray segment before the message", func(s string) string { return strings.Replace(s, "UNH+", "FTX+X'UNH+", 1) }},
	{"unknown message type", func(s string) string { return strings.Replace(s, "UNH+GENERATED00001+", "UNH+GENERATED00001+X", 1) }},
	{"invalid character", func(s string) string { return strings.Replace(s, "BGM+", "BGM+\x1b", 1) }},
	{"release character at the end", func(s string) string { return strings.TrimRight(s, "'\r\n") + "?" }},
	{"UNH 0062 empty", func(s string) string { return strings.Replace(s, "UNH+GENERATED00001+", "UNH++", 1) }},
	{"UNH and UNT 0062 empty", func(s string) string {
		return strings.Replace(strings.Replace(s, "UNH+GENERATED00001+", "UNH++", 1), "+GENERATED00001'\nUNZ", "'\nUNZ", 1)
	}},
	{"message twice", func(s string) string {
		i, j := strings.Index(s, "UNH+"), strings.Index(s, "UNZ+")
		return strings.Replace(s[:j]+s[i:j]+s[j:], "UNZ+1+", "UNZ+2+", 1)
	}},
	{"UNH and UNT 0062 too long", func(s string) string {
		return strings.Replace(strings.Replace(s, "+GENERATED00001'\nUNZ", "+GENERATED000012345'\nUNZ", 1), "UNH+GENERATED00001+", "UNH+GENERATED000012345+", 1)
	}},
	{"UNH 0062 too long", func(s string) string { return strings.Replace(s, "UNH+GENERATED00001+", "UNH+GENERATED000012345+", 1) }},
	{"unknown message type too long", func(s string) string {
		return strings.Replace(s, "UNH+GENERATED00001+", "UNH+GENERATED00001+XXXXXXXX", 1)
	}},
	{"UNB and UNZ 0020 too long", func(s string) string {
		i := strings.Index(s, "'")
		return strings.Replace(s[:i], "GENERATED00001", "GENERATED000012345", 1) + strings.Replace(s[i:], "UNZ+1+GENERATED00001", "UNZ+1+GENERATED000012345", 1)
	}},
	{"UNB sender too long", func(s string) string {
		return strings.Replace(s, "+1234567890128:500+", "+1234567890128123456789012345678901234567890:500+", 1)
	}},
	{"UNB recipient empty", func(s string) string {
		return strings.Replace(s, "+9876543210987:500+", "++", 1)
	}},
}

// TestBuildCONTRLConformsToItsAHB is the evidence that every CONTRL
// edifact.BuildCONTRL emits passes the CONTRL AHB strictly (Conform with
// strict = true, as ingest's non-strict check then passes too): every file
// of the synthetic corpus (both format versions), broken in each of the
// ways of contrlBreakers and also cut after every segment and inside it, is
// analysed as ingest does (syntax check, then the AHB's MIG findings of a
// syntactically clean interchange), answered for a Strom and a Gas receiver,
// with and without a recipient check.
func TestBuildCONTRLConformsToItsAHB(t *testing.T) {
	dir := syntheticDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*.edi"))
	if len(files) < 900 {
		t.Fatalf("corpus has %d files, want the ~980 of FV2510 and FV2604", len(files))
	}
	v := fv.MustParse("FV2610")
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	built, rejections, failed := 0, 0, 0
	check := func(name, data string) {
		for _, sector := range []edifact.Sector{catalog.Strom, catalog.Gas} {
			for _, rcpt := range []bool{false, true} {
				opts := []edifact.CheckOption{edifact.WithReceived(at), edifact.WithSector(sector)}
				if rcpt {
					opts = append(opts, edifact.WithRecipients("9900000000000"))
				}
				ix, rep, err := edifact.Analyze([]byte(data), opts...)
				if err != nil {
					continue // not EDIFACT or over a limit: no CONTRL
				}
				if !rep.HasErrors() {
					for i := range ix.Messages {
						if r, err := Validate(&ix.Messages[i], WithFV(v), WithoutNotEvaluated()); err == nil {
							rep.Findings = append(rep.Findings, r.ContrlFindings(&ix.Messages[i])...)
						}
					}
				}
				out, due, _, err := edifact.BuildCONTRL(ix, rep, edifact.ContrlParams{Ref: "C1", Time: at, Sector: sector,
					Sender: edifact.Party{ID: "9900000000000", Qualifier: "500"}})
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				if !due {
					continue
				}
				built++
				if rep.HasErrors() {
					rejections++
				}
				if err := Conform(out, v, true); err != nil {
					if failed++; failed <= 10 {
						t.Errorf("%s (%s, recipient check %v): %v\n%s\nfindings: %v", name, sector, rcpt, err, out, rep.Findings)
					}
				}
			}
		}
	}
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		rel, _ := filepath.Rel(dir, fn)
		for _, br := range contrlBreakers {
			check(rel+" "+br.name, br.apply(src))
		}
		for i := 0; i < len(src); i++ {
			if src[i] == '\'' {
				check(rel+" cut after a segment", src[:i+1])
				check(rel+" cut inside a segment", src[:i])
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d CONTRLs violate the CONTRL AHB", failed, built)
	}
	if rejections < built/2 {
		t.Errorf("only %d of %d CONTRLs are rejections; the breakers do not break", rejections, built)
	}
	t.Logf("%d CONTRLs built, %d of them rejections", built, rejections)
}
