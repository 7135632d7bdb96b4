package integration

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/fv"
)

// gasRequestPIDs are the GeLi Gas requests that a UTILMD answer must follow
// (FV2610 AHB UTILMD Gas, _form-meta.js): Anmeldung NN, Abmeldung NN,
// Abmeldung vom NB, Abmeldungsanfrage, Anmeldung EoG, Kündigung,
// Stornierung.
var gasRequestPIDs = []string{"44001", "44004", "44007", "44010", "44013", "44016", "44022"}

// gasMessages reads the outboxes of all three parties (market.messages)
// and gives every UTILMD Gas its MaLo: in gas the MaLo is LOC+172
// (Meldepunkt), which demo.Decode does not read as the MaLo.
func (m *market) gasMessages(t *testing.T) []demo.Message {
	t.Helper()
	all := m.messages(t)
	for i := range all {
		if all[i].Type == "UTILMD" && all[i].MaLo == "" {
			all[i].MaLo = meldepunkt(all[i].Raw)
		}
	}
	return all
}

// meldepunkt returns LOC+172 of the interchange's first transaction.
func meldepunkt(raw []byte) string {
	ix, err := edifact.Parse(raw)
	if err != nil || len(ix.Messages) == 0 {
		return ""
	}
	for i := range ix.Messages[0].Segments {
		if s := &ix.Messages[0].Segments[i]; s.Is("LOC", "172") {
			return s.Value(1, 0)
		}
	}
	return ""
}

// waitGas polls the market until done holds for the MaLo's gas
// conversation (LFX's transactions "TX"+MaLo+suffix join through RFF+TN;
// 20 s as a failure guard only).
func (m *market) waitGas(t *testing.T, maloID, what string, done func(demo.Conversation) bool, lfxTx ...string) demo.Conversation {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	from := append([]string{"TX" + maloID}, lfxTx...)
	for {
		c := demo.Select(m.gasMessages(t), maloID, from...)
		if done(c) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("MaLo %s: %s did not happen; conversation so far:\n%s", maloID, what, conversationText(c, m.mk))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// gasOpen lists what a gas conversation still waits for: every request an
// answer UTILMD, every UTILMD interchange its CONTRL (Gas: always, positive
// too). An empty list means complete. No APERAK is waited for: a clean
// gas transaction gets none (APERAK AHB 1.1 §2.4.1).
func gasOpen(c demo.Conversation) []string {
	var open []string
	for _, msg := range c.Messages {
		if msg.Type != "UTILMD" {
			continue
		}
		if len(contrlsFor(c, msg)) == 0 {
			open = append(open, "CONTRL for "+msg.PID+" "+msg.Interchange)
		}
		if slices.Contains(gasRequestPIDs, msg.PID) && len(c.AnswerTo(msg.Transaction)) == 0 {
			open = append(open, "answer to "+msg.PID+" "+msg.Transaction)
		}
	}
	return open
}

// gasComplete: every request answered, every UTILMD acknowledged by CONTRL.
func gasComplete(c demo.Conversation) bool { return len(c.Messages) > 0 && len(gasOpen(c)) == 0 }

// contrlsFor returns the CONTRLs for the interchange that carried msg.
func contrlsFor(c demo.Conversation, msg demo.Message) []demo.Message {
	var out []demo.Message
	for _, o := range c.Messages {
		if o.Type == "CONTRL" && o.RefInterchange == msg.Interchange && o.From == msg.To && o.To == msg.From {
			out = append(out, o)
		}
	}
	return out
}

// checkGasMessages asserts what every message of the gas market must
// satisfy: edifact.Check clean; the AHB of its PID (FV from its DTM+137)
// without any finding — CONTRLs included; a UTILMD of GeLi Gas (44…) known
// for its format version, in the G-MIG, between DVGW/GLN MP-IDs (never a
// BDEW 99… code); an APERAK referencing a transaction, and only as an
// error APERAK (313): Gas has no positive APERAK.
func checkGasMessages(t *testing.T, c demo.Conversation) {
	t.Helper()
	for _, msg := range c.Messages {
		if len(msg.Findings) > 0 {
			t.Errorf("%s %s %s of %s: edifact.Check findings %v", msg.Type, msg.PID, msg.Interchange, msg.Tenant, msg.Findings)
		}
		ix, err := edifact.Parse(msg.Raw)
		if err != nil {
			t.Errorf("%s %s of %s: %v", msg.Type, msg.Interchange, msg.Tenant, err)
			continue
		}
		for i := range ix.Messages {
			rep, err := ahb.Validate(&ix.Messages[i])
			if err != nil {
				t.Errorf("%s %s of %s: ahb: %v", msg.Type, msg.Interchange, msg.Tenant, err)
				continue
			}
			for _, f := range rep.Findings {
				t.Errorf("%s %v %s of %s: AHB finding %s: %s", msg.Type, rep.PIDs, msg.Interchange, msg.Tenant, f.Rule, f.Text)
			}
		}
		for _, id := range []string{msg.From, msg.To} {
			if k, err := ident.ClassifyMPID(id); err != nil || k == ident.MPIDBDEW {
				t.Errorf("%s %s of %s: MP-ID %s is no gas MP-ID (%v, %v)", msg.Type, msg.Interchange, msg.Tenant, id, k, err)
			}
		}
		switch msg.Type {
		case "UTILMD":
			v, err := fv.Resolve(msg.Created)
			must(t, err)
			if !strings.HasPrefix(msg.PID, "44") || !catalog.KnownPID("UTILMD", v, msg.PID) {
				t.Errorf("UTILMD %s of %s: PID %s is no GeLi Gas PID of %s", msg.Transaction, msg.Tenant, msg.PID, v)
			}
			if !strings.HasPrefix(ix.Messages[0].Header().Association, "G") {
				t.Errorf("UTILMD %s of %s: not in a UTILMD Gas MIG", msg.Transaction, msg.Tenant)
			}
		case "APERAK":
			if msg.RefTN == "" || msg.RefDocument == "" {
				t.Errorf("APERAK %s of %s references no transaction/document", msg.Interchange, msg.Tenant)
			}
			if msg.DocCode != "313" {
				t.Errorf("APERAK %s of %s: %s; Gas has error APERAKs only", msg.Interchange, msg.Tenant, msg.DocCode)
			}
		}
	}
}

// checkGasCONTRLs asserts the CONTRL rule of Gas on a conversation: every
// UTILMD interchange got exactly one positive CONTRL (UCI 0083 = 7) from
// its recipient, and no CONTRL answers a CONTRL.
func checkGasCONTRLs(t *testing.T, c demo.Conversation, mk demo.Market) {
	t.Helper()
	contrlIx := map[string]bool{}
	for _, msg := range c.Messages {
		if msg.Type == "CONTRL" {
			contrlIx[msg.Interchange] = true
		}
	}
	for _, msg := range c.Messages {
		switch msg.Type {
		case "UTILMD":
			cs := contrlsFor(c, msg)
			if len(cs) != 1 || cs[0].DocCode != catalog.ContrlActionAcknowledged {
				t.Errorf("%s %s (interchange %s): CONTRLs %v, want one positive:\n%s", msg.PID, msg.Transaction, msg.Interchange,
					demo.Conversation{Messages: cs}.Sequence(), conversationText(c, mk))
			}
		case "CONTRL":
			if contrlIx[msg.RefInterchange] {
				t.Errorf("CONTRL %s of %s answers a CONTRL", msg.Interchange, msg.Tenant)
			}
		}
	}
}

// noAperak asserts that no APERAK answers a transaction of the
// conversation: a clean gas transaction is processed silently.
func noAperak(t *testing.T, c demo.Conversation, mk demo.Market) {
	t.Helper()
	for _, msg := range c.Messages {
		if msg.Type == "APERAK" {
			t.Errorf("APERAK %s %v for %s in a clean gas conversation:\n%s", msg.DocCode, msg.ERC, msg.RefTN, conversationText(c, mk))
		}
	}
}
