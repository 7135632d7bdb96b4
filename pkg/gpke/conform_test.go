package gpke

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/utilmdkit/utilmdtest"
)

// sent records every interchange the tests' workflows sent (checkDecision).
var sent = utilmdtest.NewLog()

// TestMain runs the package's tests and then, when MAKO_DUMP_SENT names a
// directory, writes every interchange they sent there (for inspection and
// for refreshing pkg/ahb/testdata).
func TestMain(m *testing.M) {
	code := m.Run()
	if dir := os.Getenv("MAKO_DUMP_SENT"); dir != "" && code == 0 {
		for i, b := range sent.All() {
			_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d.edi", i)), b, 0o644)
		}
	}
	os.Exit(code)
}

// TestOutboundGuard: a decision whose message would violate its AHB is
// refused — Handle returns a *NonConformantError with the findings, the
// decision (events, outbound) is not produced, so nothing is committed or
// sent and the processor dead-letters the command.
func TestOutboundGuard(t *testing.T) {
	lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
	d := lfn.exec(t0, reg(RegisterSupplyStart{MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
	nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
	// The master data name the MSB in a role outside the AHB's code list
	// (Z99): the confirmation 55002's MSB data (SG10 CAV) would violate it.
	bad := MasterData{Known: true, InGrid: true, MeLos: []string{testMeLo}, MSB: testMSB, MSBRole: "Z99"}
	res, err := nb.try(t0, enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung)), bad))
	var nc *NonConformantError
	if !errors.As(err, &nc) || !errors.Is(err, ErrNonConformant) {
		t.Fatalf("err %v, want NonConformantError", err)
	}
	if len(res.Outbound) != 0 || len(res.Events) != 0 {
		t.Fatalf("refused decision carries %d outbound, %d events", len(res.Outbound), len(res.Events))
	}
	var rules []string
	for _, f := range nc.Findings {
		rules = append(rules, f.Rule)
	}
	if !slices.Equal(nc.PIDs, []string{PIDAnmeldungBestaetig}) || len(rules) == 0 || !strings.Contains(rules[0], "@55002:SG4/SG8/SG10/CAV+") ||
		!strings.Contains(err.Error(), rules[0]) {
		t.Fatalf("%+v", nc)
	}
	if nb.s.Started {
		t.Fatal("state advanced by a refused decision")
	}

	// The engine wraps the refusal as a DecisionError (engine.ErrDecision:
	// the processor dead-letters it at once).
	w := nb.wf
	_, err = w.Handle(w.Initial(), engine.Command{ID: "c1", ReceivedAt: t0, FormatVersion: mustFV(t0),
		Payload: enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung)), bad)})
	if !errors.Is(err, ErrNonConformant) {
		t.Fatalf("Handle: %v", err)
	}
}

// BenchmarkConform measures the outbound guard alone on the LFN's 55001
// (parse + ahb.Validate for its PID and FV, after warm-up).
func BenchmarkConform(b *testing.B) {
	lfn := newParty(b, "lfn").start(WorkflowLFNLieferbeginn)
	d := lfn.exec(t0, reg(RegisterSupplyStart{MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
	payload := out(b, d, mpNB, "UTILMD", PIDAnmeldung).Payload
	f := flow{name: WorkflowLFNLieferbeginn}
	v := mustFV(t0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := f.conform(v, "UTILMD", mpNB, payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuild55001 measures assembling the 55001 through pkg/ahb/build
// (outMsg.bytes, without the guard).
func BenchmarkBuild55001(b *testing.B) {
	r := reg(RegisterSupplyStart{MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN})
	m, err := supplyStartMsg(r, PIDAnmeldung, "E03", "ZW4")
	if err != nil {
		b.Fatal(err)
	}
	m.FV, m.At, m.Interchange, m.Document, m.Transaction, m.BGM = mustFV(t0), t0, "IC1", "DOC1", "TX1", "E01"
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := m.bytes(); err != nil {
			b.Fatal(err)
		}
	}
}
