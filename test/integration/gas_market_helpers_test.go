package integration

import (
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

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
			t.Fatalf("MaLo %s: %s did not happen; conversation so far:\n%sCloudEvents: LFN %v, NB %v, LFA %v", maloID, what, conversationText(c, m.mk),
				failures(m.lfn.events(t, maloID)), failures(m.nb.events(t, maloID)), failures(m.lfa.events(t, maloID)))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// failures lists the CloudEvents (eventTypes) with the reason of a failed
// process, for a failure message.
func failures(evs []demo.ReceivedEvent) []string {
	out := eventTypes(evs)
	for i, ev := range evs {
		if ev.Event.Type == erp.TypeProcessFailed {
			out[i] += " (" + ev.Data.Reason + ")"
		}
	}
	return out
}

// acknowledged: every UTILMD of the conversation has its CONTRL (a
// conversation with a request left unanswered on purpose, the LFA's
// silence, is never convComplete).
func acknowledged(c demo.Conversation) bool {
	for _, msg := range c.Messages {
		if msg.Type == "UTILMD" && len(contrlsFor(c, msg)) == 0 {
			return false
		}
	}
	return len(c.Messages) > 0
}

// contrlsFor returns the CONTRLs for the interchange that carried msg.
func contrlsFor(c demo.Conversation, msg demo.Message) []demo.Message {
	var out []demo.Message
	for _, o := range c.ContrlFor(msg.Interchange) {
		if o.From == msg.To && o.To == msg.From {
			out = append(out, o)
		}
	}
	return out
}

// checkGasMessages asserts what every message of the gas market must
// satisfy: checkMessages (edifact.Check clean, the AHB of its PID without
// any finding — CONTRLs included in Gas —, a PID known for its format
// version, APERAKs referencing a transaction) and, for Gas: sector Gas,
// DVGW/GLN MP-IDs only (never a BDEW 99… code), UTILMD PIDs of GeLi Gas
// (44…), and an APERAK only as an error APERAK (313): Gas has no positive
// APERAK.
func checkGasMessages(t *testing.T, c demo.Conversation) {
	t.Helper()
	checkMessages(t, c)
	for _, msg := range c.Messages {
		if !msg.IsGas() {
			t.Errorf("%s %s of %s: sector %q, want Gas", msg.Type, msg.Interchange, msg.Tenant, msg.Sector)
		}
		for _, id := range []string{msg.From, msg.To} {
			if k, err := ident.ClassifyMPID(id); err != nil || k == ident.MPIDBDEW {
				t.Errorf("%s %s of %s: MP-ID %s is no gas MP-ID (%v, %v)", msg.Type, msg.Interchange, msg.Tenant, id, k, err)
			}
		}
		if msg.Type == "UTILMD" && !strings.HasPrefix(msg.PID, "44") {
			t.Errorf("UTILMD %s of %s: PID %s is no GeLi Gas PID", msg.Transaction, msg.Tenant, msg.PID)
		}
		if msg.Type == "APERAK" && msg.DocCode != "313" {
			t.Errorf("APERAK %s of %s: %s; Gas has error APERAKs only", msg.Interchange, msg.Tenant, msg.DocCode)
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
