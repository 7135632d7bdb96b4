package integration

import (
	"strings"
	"testing"

	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
)

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
