// Package utilmdtest holds the test helpers the process families (gpke,
// geligas) share to check what their pure workflows send: every outbound
// interchange parsed, edifact-checked and AHB-validated with 0 findings, a
// log of what was sent for a package-wide re-check, and the partner's view
// of an outbound (the inbound transaction ingest would produce, an error
// APERAK). It imports package testing and is meant for _test.go files.
package utilmdtest

import (
	"bytes"
	"flag"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Log records every interchange a package's tests sent (CheckDecision).
// It is safe for concurrent use.
type Log struct {
	mu   sync.Mutex
	pids map[string]int // "FV2610 55002" → count
	all  [][]byte
}

// NewLog returns an empty log.
func NewLog() *Log { return &Log{pids: map[string]int{}} }

// Record adds an interchange with its PIDs in format version v.
func (l *Log) Record(pids []string, v fv.Version, b []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range pids {
		l.pids[v.String()+" "+p]++
	}
	l.all = append(l.all, b)
}

// All returns the recorded interchanges (a copy).
func (l *Log) All() [][]byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.all)
}

// Counts returns "FV PID" → count (a copy).
func (l *Log) Counts() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.pids))
	for k, v := range l.pids {
		out[k] = v
	}
	return out
}

// CheckDecision checks every outbound interchange of d: it parses, passes
// edifact.Check for its receipt at at, its PIDs are known to the catalog
// for that FV, it validates against the AHB of each PID with 0 findings
// (independently of the workflow's own guard, so a guard that lets a defect
// through fails here too) and its header names the outbound's recipient and
// reference. Every checked interchange is recorded in l (nil: none).
func CheckDecision(t testing.TB, d engine.Decision, at time.Time, l *Log) {
	t.Helper()
	for _, o := range d.Outbound {
		ix, err := edifact.Parse(o.Payload)
		if err != nil {
			t.Fatalf("outbound %s: %v\n%s", o.MessageType, err, o.Payload)
		}
		rep := edifact.Check(ix, edifact.WithReceived(at))
		if rep.HasErrors() {
			t.Fatalf("outbound %s fails edifact.Check: %+v\n%s", o.MessageType, rep.Findings, o.Payload)
		}
		for _, m := range ix.Messages {
			for _, tx := range edifact.Transactions(&m) {
				if !catalog.KnownPID(m.Type(), rep.FormatVersion, tx.PID) {
					t.Fatalf("PID %s unknown for %s in %s", tx.PID, m.Type(), rep.FormatVersion)
				}
			}
		}
		for i := range ix.Messages {
			r, err := ahb.Validate(&ix.Messages[i], ahb.WithFV(rep.FormatVersion))
			if err != nil {
				t.Fatalf("outbound %s to %s: ahb: %v\n%s", o.MessageType, o.Recipient, err, o.Payload)
			}
			if !r.Clean() {
				var lines []string
				for _, f := range r.Findings {
					lines = append(lines, f.Rule+": "+f.Text)
				}
				t.Fatalf("outbound %s %s (%s) to %s violates its AHB:\n  %s\n%s", o.MessageType, strings.Join(r.PIDs, ","), rep.FormatVersion,
					o.Recipient, strings.Join(lines, "\n  "), bytes.ReplaceAll(o.Payload, []byte("'"), []byte("'\n")))
			}
			if l != nil {
				l.Record(r.PIDs, rep.FormatVersion, o.Payload)
			}
		}
		if ix.UNB().ControlRef != o.InterchangeRef || ix.UNB().Recipient.ID != o.Recipient {
			t.Fatalf("outbound header mismatch: %+v vs %s/%s", ix.UNB(), o.InterchangeRef, o.Recipient)
		}
	}
}

// CheckLog is a package's closing test (run it from a file named zz_… so
// that go test runs it after the others): every interchange the package's
// tests recorded in l is re-validated with 0 findings (CheckSent), and on a
// full run (no -run filter) every PID (or APERAK code) of want must have
// been sent by some test. Without recorded interchanges it skips on a
// filtered run (the tests that send were not selected) and fails on a full
// run, where an empty log means nothing was checked.
func CheckLog(t *testing.T, l *Log, want ...string) {
	t.Helper()
	all := l.All()
	filtered := false
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" {
		filtered = true
	}
	if len(all) == 0 {
		if filtered {
			t.Skip("run with the package's other tests")
		}
		t.Fatal("no test recorded an outbound interchange: nothing was checked against its AHB")
	}
	got := CheckSent(t, all)
	if filtered {
		return
	}
	for _, p := range want {
		if !got[p] {
			t.Errorf("no test sent %s", p)
		}
	}
	t.Logf("%d interchanges, PIDs %v", len(all), l.Counts())
}

// CheckSent re-validates the interchanges (format version taken from each
// message) and returns the PIDs (and APERAK 312/313) seen; a finding fails
// the test.
func CheckSent(t testing.TB, all [][]byte) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	for _, b := range all {
		ix, err := edifact.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ix.Messages {
			rep, err := ahb.Validate(&ix.Messages[i])
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Rejecting()) > 0 || !rep.Clean() {
				t.Errorf("%v: %+v", rep.PIDs, rep.Findings)
			}
			for _, p := range rep.PIDs {
				got[p] = true
			}
		}
	}
	return got
}

// Deliver turns an outbound interchange into the inbound transaction the
// partner's ingest would produce (sector "Strom" or "Gas").
func Deliver(t testing.TB, o engine.Outbound, sector string) inbound.Transaction {
	t.Helper()
	ix, err := edifact.Parse(o.Payload)
	if err != nil {
		t.Fatal(err)
	}
	m := &ix.Messages[0]
	var id, pid string
	if txs := edifact.Transactions(m); len(txs) > 0 {
		id, pid = txs[0].ID, txs[0].PID
	}
	unb := ix.UNB()
	ts, _ := time.Parse("0601021504", unb.Date+unb.Time)
	v, err := fv.Resolve(ts)
	if err != nil {
		t.Fatal(err)
	}
	return inbound.Transaction{MessageType: m.Type(), Release: m.Header().Association, PID: pid, FormatVersion: v.String(),
		Sector: sector, Sender: unb.Sender.ID, Receiver: unb.Recipient.ID, InterchangeRef: unb.ControlRef,
		MessageRef: m.Ref(), TransactionID: id, Interchange: inbound.SingleMessage(ix, m)}
}

// Out returns the single outbound of d to recipient with message type typ
// (and, for a UTILMD, PID: its RFF+Z13); it fails the test unless there is
// exactly one.
func Out(t testing.TB, d engine.Decision, recipient, typ, pid string) engine.Outbound {
	t.Helper()
	var found []engine.Outbound
	for _, o := range d.Outbound {
		if o.Recipient != recipient || o.MessageType != typ {
			continue
		}
		if pid != "" && !bytes.Contains(o.Payload, []byte("RFF+Z13:"+pid+"'")) {
			continue
		}
		found = append(found, o)
	}
	if len(found) != 1 {
		var all []string
		for _, o := range d.Outbound {
			all = append(all, o.Recipient+"/"+o.MessageType+": "+string(o.Payload))
		}
		t.Fatalf("want one %s %s to %s, got %d of:\n%s", typ, pid, recipient, len(found), strings.Join(all, "\n"))
	}
	return found[0]
}

// ErrorAPERAK builds the partner's APERAK 313 with error code for a UTILMD
// we sent, as the inbound transaction (sector) it becomes.
func ErrorAPERAK(t testing.TB, o engine.Outbound, at time.Time, code, sector string) inbound.Transaction {
	t.Helper()
	tx := Deliver(t, o, sector)
	ix, m, err := tx.Parse()
	if err != nil {
		t.Fatal(err)
	}
	u := edifact.Transactions(m)[0]
	ref, err := aperak.ReferenceFrom(ix, m, &u)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := fv.Resolve(at)
	b, err := aperak.Build(aperak.Params{FormatVersion: v, Ref: "APX1", Time: at}, aperak.Message{Ref: "1", DocumentNumber: "APX1",
		Reference: ref, Problems: []aperak.Problem{{Code: code, Content: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	return Deliver(t, engine.Outbound{Payload: b}, sector)
}
