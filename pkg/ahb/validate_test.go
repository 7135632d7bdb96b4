package ahb

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/edifacttest"
	"github.com/mako-engine/mako/pkg/fv"
)

// utilmd55001 is a realistic, AHB-complete UTILMD 55001 (FV2610, S2.2),
// written by hand from the AHB (testdata/fv2610/utilmd-55001.edi).
func utilmd55001(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/fv2610/utilmd-55001.edi")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func validateString(t testing.TB, s string, opts ...Option) *Report {
	t.Helper()
	ix, err := edifact.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Validate(&ix.Messages[0], opts...)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func findRule(rep *Report, kind Kind, ruleSuffix string) *Finding {
	for i := range rep.Findings {
		f := &rep.Findings[i]
		if f.Kind == kind && strings.HasSuffix(f.Rule, ruleSuffix) {
			return f
		}
	}
	return nil
}

func logReport(t *testing.T, rep *Report) {
	t.Helper()
	for _, f := range rep.Findings {
		t.Logf("  %s #%d %s", f.Rule, f.Position, f.Text)
	}
}

func TestValidateRealistic55001Clean(t *testing.T) {
	rep := validateString(t, utilmd55001(t))
	if rep.FV != "FV2610" || rep.Version != "S2.2" || len(rep.PIDs) != 1 || rep.PIDs[0] != "55001" {
		t.Fatalf("report header %+v", rep)
	}
	if !rep.Clean() {
		logReport(t, rep)
		t.Fatalf("%d findings on a conformant 55001", len(rep.Findings))
	}
}

// TestValidateIssueFindings: each finding of the issue that concerns the
// AHB structure is caught on a message that has it.
func TestValidateIssueFindings(t *testing.T) {
	ok := utilmd55001(t)
	cases := []struct {
		name    string
		msg     string
		opts    []Option
		kind    Kind
		rule    string
		aperak  string
		segment string // tag of Message.Segments[Finding.Segment]
	}{
		{"55001 without SG8 SEQ+Z79", strings.NewReplacer("SEQ+Z79+1'\n", "", "PIA+5+9991000002082:Z11'\n", "", "CCI+Z66'\n", "", "CAV+ZV4:::11XDE-BKV-0001'\n", "").Replace(ok),
			nil, KindMissingGroup, "missing-group@55001:SG4/SG8/SEQ+Z79", "Z29", "IDE"},
		{"55001 without SEQ+Z01", strings.NewReplacer("SEQ+Z01'\n", "", "CCI+++Z15'\n", "").Replace(ok),
			nil, KindMissingGroup, "missing-group@55001:SG4/SG8/SEQ+Z01", "Z29", "IDE"},
		{"55001 without NAD+Z04", strings.Replace(ok, "NAD+Z04+++Mustermann:Erika::::Z01+Musterstrasse::1+Musterstadt++12345+DE'\n", "", 1),
			nil, KindMissingGroup, "missing-group@55001:SG4/SG12/NAD+Z04", "Z29", "IDE"},
		{"55001 without DTM+92", strings.Replace(ok, "DTM+92:202611232300?+00:303'\n", "", 1),
			nil, KindMissingSegment, "missing-segment@55001:SG4/DTM+92", "Z29", "IDE"},
		{"55001 with a malformed DTM value", strings.Replace(ok, "DTM+92:202611232300?+00:303", "DTM+92:20261120X915?+00:303", 1),
			nil, KindFormat, "format@55001:SG4/DTM+92/2380", "Z35", "DTM"},
		{"55001 with Ergänzung ZW3", strings.Replace(ok, "STS+7++E03+ZW4", "STS+7++E03+ZW3", 1),
			nil, KindCode, "code@55001:SG4/STS+7/9013", "Z39", "STS"},
		{"55002 with Ergänzung ZW4", ok, []Option{WithPID("55002")}, KindCode, "code@55002:SG4/STS+7/9013", "Z39", "STS"},
		{"55001 with two LOC+Z16", strings.Replace(ok, "LOC+Z16+51234567895'\n", "LOC+Z16+51234567895'\nLOC+Z16+51234567895'\n", 1),
			nil, KindRepetition, "repetition@55001:SG4/SG5/LOC+Z16", "Z40", "LOC"},
		{"55001 with two SEQ+Z01", strings.Replace(ok, "SEQ+Z01'\nCCI+++Z15'\n", "SEQ+Z01'\nCCI+++Z15'\nSEQ+Z01'\nCCI+++Z15'\n", 1),
			nil, KindRepetition, "repetition@55001:SG4/SG8/SEQ+Z01", "Z40", "SEQ"},
		{"55010 without DTM+154", ok, []Option{WithPID("55010")}, KindMissingSegment, "missing-segment@55010:SG4/DTM+154", "Z29", "IDE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep := validateString(t, c.msg, c.opts...)
			f := findRule(rep, c.kind, c.rule)
			if f == nil {
				logReport(t, rep)
				t.Fatalf("no %s finding %s", c.kind, c.rule)
			}
			if f.APERAK != c.aperak || !f.Rejects() {
				t.Errorf("APERAK code %q (rejects %v), want %s", f.APERAK, f.Rejects(), c.aperak)
			}
			if f.Segment < 0 || f.Position != f.Segment+1 {
				t.Errorf("position %d / segment %d", f.Position, f.Segment)
			}
			ix, _ := edifact.Parse([]byte(c.msg))
			if got := ix.Messages[0].Segments[f.Segment].Tag; got != c.segment {
				t.Errorf("finding points at %s, want %s", got, c.segment)
			}
			if f.Transaction != "VG26112000001" || f.Expr == "" || f.Text == "" || f.Section == "" {
				t.Errorf("finding lacks transaction/expr/text: %+v", f)
			}
		})
	}
}

// TestValidateNotForeseen: content the PID's AHB column does not foresee is
// reported, but is no rejection reason (APERAK AHB §2.1: ignored).
func TestValidateNotForeseen(t *testing.T) {
	ok := utilmd55001(t)
	msg := strings.Replace(ok, "RFF+Z13:55001'\n", "RFF+Z13:55001'\nRFF+Z99:X'\n", 1)
	rep := validateString(t, msg)
	f := findRule(rep, KindNotForeseen, "SG4/SG6/RFF")
	if f == nil {
		logReport(t, rep)
		t.Fatal("RFF+Z99 not reported")
	}
	if f.Rejects() || len(rep.Rejecting()) != 0 {
		t.Errorf("not-foreseen content rejects: %+v", rep.Rejecting())
	}
}

// TestValidateGroupWithoutAHBPlace: the issue's LOC+Z16 (SG5) in PIDs
// without SG5 (55005 …) is reported as not foreseen, in segment order.
func TestValidateGroupWithoutAHBPlace(t *testing.T) {
	rep := validateString(t, utilmd55001(t), WithPID("55005"))
	if f := findRule(rep, KindNotForeseen, "@55005:SG4/SG5/LOC"); f == nil || f.Rejects() {
		logReport(t, rep)
		t.Fatalf("SG5 LOC+Z16 in 55005: %+v", f)
	}
	for i := 1; i < len(rep.Findings); i++ {
		if rep.Findings[i].Segment < rep.Findings[i-1].Segment {
			t.Fatalf("findings not in segment order: %d after %d", rep.Findings[i].Segment, rep.Findings[i-1].Segment)
		}
	}
}

func TestValidateServiceMessages(t *testing.T) {
	for name, s := range map[string]string{"APERAK 313": edifacttest.APERAK313, "CONTRL": edifacttest.CONTRL55999} {
		rep := validateString(t, s)
		if !rep.Clean() {
			logReport(t, rep)
			t.Errorf("%s of edifact.md §13: %d findings", name, len(rep.Findings))
		}
	}
	// an APERAK 313 without ERC misses its mandatory SG4
	noERC := strings.Replace(edifacttest.APERAK313, "ERC+Z29'", "", 1)
	if f := findRule(validateString(t, noERC), KindMissingGroup, "SG4/ERC+Z10|Z14|Z15|Z16|Z17|Z18|Z19|Z20|Z21|Z24|Z25|Z26|Z27|Z29|Z30|Z31|Z33|Z34|Z35|Z37|Z38|Z39|Z40|Z41|Z42|Z43|Z44"); f == nil {
		t.Error("APERAK 313 without ERC: no missing-group finding")
	}
}

func TestValidateErrors(t *testing.T) {
	ok := utilmd55001(t)
	ix, _ := edifact.Parse([]byte(strings.Replace(ok, "RFF+Z13:55001", "RFF+Z13:55999", 1)))
	if _, err := Validate(&ix.Messages[0]); !errors.Is(err, ErrUnknownPID) {
		t.Errorf("unknown PID: %v", err)
	}
	var ve *Error
	if _, err := Validate(&ix.Messages[0], WithFV(fv.MustParse("FV2404"))); !errors.As(err, &ve) || !errors.Is(err, ErrNoData) {
		t.Errorf("FV without data: %v", err)
	}
}

// TestNotEvaluatedNeverFinding: a line whose condition cannot be decided is
// listed as not evaluated and never produces a finding. It removes every
// optional-looking SG10 of the realistic 55001 so that conditional lines are
// asked for, and checks that no rule is both a finding and not evaluated and
// that every condition listed appears in the expression.
func TestNotEvaluatedNeverFinding(t *testing.T) {
	msgs := []string{utilmd55001(t), strings.Replace(utilmd55001(t), "CAV+ZV4:::11XDE-BKV-0001'\n", "", 1)}
	total := 0
	for _, m := range msgs {
		rep := validateString(t, m)
		for _, n := range rep.NotEvaluated {
			total++
			if len(n.Conditions) == 0 {
				t.Errorf("%s: no condition listed", n.Rule)
			}
			for _, c := range n.Conditions {
				if !strings.Contains(n.Expr, c) {
					t.Errorf("%s: condition %s not in %q", n.Rule, c, n.Expr)
				}
			}
			for _, f := range rep.Findings {
				if strings.HasSuffix(f.Rule, n.Rule[strings.Index(n.Rule, ":"):]) && f.DataElement == n.DataElement && f.Segment == n.Segment {
					t.Errorf("%s is both a finding and not evaluated", n.Rule)
				}
			}
		}
	}
	if total == 0 {
		t.Log("every condition of these messages has a predicate; nothing to check")
	}
}

// TestValidateConcurrent runs validations in parallel (the run pool and the
// lazily compiled PIDs are shared); run with -race.
func TestValidateConcurrent(t *testing.T) {
	ok := utilmd55001(t)
	bad := strings.Replace(ok, "STS+7++E03+ZW4", "STS+7++E03+ZW3", 1)
	done := make(chan error, 8)
	for i := range 8 {
		go func() {
			s := ok
			if i%2 == 1 {
				s = bad
			}
			ix, err := edifact.Parse([]byte(s))
			if err != nil {
				done <- err
				return
			}
			for range 50 {
				rep, err := Validate(&ix.Messages[0])
				if err != nil {
					done <- err
					return
				}
				if (i%2 == 1) == rep.Clean() {
					done <- errors.New("wrong result under concurrency")
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestContrlFindings(t *testing.T) {
	msg := strings.Replace(utilmd55001(t), "CCI+Z65+++Z01'", "CCI+Z65+++Z01'\nFOO+1'", 1)
	ix, err := edifact.Parse([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	m := &ix.Messages[0]
	rep, err := Validate(m)
	if err != nil {
		t.Fatal(err)
	}
	// FOO is in no AHB line of the type: not foreseen, no CONTRL finding
	if cf := rep.ContrlFindings(m); len(cf) != 0 {
		t.Fatalf("unknown tag gave CONTRL findings %+v", cf)
	}
	// CTA opens SG13 under SG12: right after IDE the MIG tree has no place for it
	msg = strings.Replace(utilmd55001(t), "IDE+24+VG26112000001'", "IDE+24+VG26112000001'\nCTA+IC+:Erika Mustermann'", 1)
	ix, _ = edifact.Parse([]byte(msg))
	m = &ix.Messages[0]
	if rep, err = Validate(m); err != nil {
		t.Fatal(err)
	}
	cf := rep.ContrlFindings(m)
	if len(cf) != 1 {
		logReport(t, rep)
		t.Fatalf("%d CONTRL findings, want the CTA out of place", len(cf))
	}
	if cf[0].Level != edifact.LevelSegment || cf[0].Code != edifact.CodeNotSupportedHere || cf[0].Tag != "CTA" || cf[0].Position != 7 || !strings.Contains(cf[0].Rule, "@55001:") || cf[0].MessageRef != "1" {
		t.Errorf("%+v", cf[0])
	}
}

func TestPreload(t *testing.T) {
	if err := Preload(fv.MustParse("FV2610")); err != nil {
		t.Fatal(err)
	}
	if err := Preload(fv.MustParse("FV2404")); !errors.Is(err, ErrNoData) {
		t.Fatalf("FV2404: %v", err)
	}
}

// TestValueRuleChecked: a data element whose only condition is a value rule
// (here [359] of 55003 STS+E01 DE9013: "nur Antwortcodes aus dem Cluster
// Ablehnung") has its value checked, not only format conditions [9xx].
func TestValueRuleChecked(t *testing.T) {
	b, err := os.ReadFile("testdata/realistic-fv2610-strom/utilmd-55003.edi")
	if err != nil {
		t.Fatal(err)
	}
	ok := string(b)
	if !strings.Contains(ok, "STS+E01++A50:E_0623") {
		t.Fatal("test data changed: no STS+E01++A50:E_0623")
	}
	if rep := validateString(t, ok); !rep.Clean() {
		logReport(t, rep)
		t.Fatal("realistic 55003 not clean")
	}
	// A51 is in E_0623's cluster Zustimmung: not allowed in a rejection.
	rep := validateString(t, strings.Replace(ok, "STS+E01++A50:E_0623", "STS+E01++A51:E_0623", 1))
	f := findRule(rep, KindFormat, "55003:SG4/STS+E01/9013")
	if f == nil {
		logReport(t, rep)
		t.Fatal("no format finding on STS+E01 DE9013 with an answer code of cluster Zustimmung")
	}
	if f.APERAK != "Z35" || f.Value != "A51" {
		t.Errorf("finding %+v", f)
	}
}
