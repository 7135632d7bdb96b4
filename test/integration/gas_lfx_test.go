package integration

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/nats-io/nats.go"
)

// LFX of the gas market: a gas supplier outside the market (DVGW code
// number, valid GS1 check digit), played by the test. It sends hand-built
// UTILMD Gas interchanges with a chosen receipt time to the NB's ingest and
// receives the NB's answers (and CONTRLs) on the gateway stream lfxStream.
const mpGasLFX = "9800000000090"

// gasLFX44001 is LFX's Anmeldung NN 44001 (UTILMD Gas of the format
// version in force at the receipt: MIG G1.2 for FV2610, G1.1 for FV2604)
// of the MaLo for start: a Lieferantenwechsel (STS+7 E03) of a household
// customer with LFX's Bilanzkreis, complete per the AHB of 44001 — what a
// gas supplier sends. The transaction id is "TX"+MaLo, the document
// "DOK"+MaLo, the interchange "IX"+MaLo.
type gasLFX44001 struct {
	MaLo, NB string
	Start    time.Time
	Received time.Time
	// Drop removes the segments whose text starts with it (an AHB fault).
	Drop string
	// Break replaces the UNH by a broken one (a syntax fault).
	Break bool
}

func (g gasLFX44001) tx() string  { return "TX" + g.MaLo }
func (g gasLFX44001) doc() string { return "DOK" + g.MaLo }
func (g gasLFX44001) ref() string { return "IX" + g.MaLo }

// bytes returns the interchange.
func (g gasLFX44001) bytes(t testing.TB) []byte {
	t.Helper()
	v, err := fv.Resolve(g.Received)
	must(t, err)
	unh, ok := catalog.UNHS009(catalog.UTILMD, catalog.Gas, v)
	if !ok {
		t.Fatalf("no UTILMD Gas version for %s", v)
	}
	esc := func(s string) string { return strings.ReplaceAll(s, "+", "?+") }
	dtm := func(q string, at time.Time) string { return "DTM+" + q + ":" + esc(catalog.FormatDTM303(at)) + ":303'" }
	body := []string{
		"UNH+1+" + unh.Type + ":" + unh.Version + ":" + unh.Release + ":" + unh.Agency + ":" + unh.Association + "'",
		"BGM+E01+" + g.doc() + "'",
		dtm("137", g.Received),
		"NAD+MS+" + mpGasLFX + "::332'",
		"NAD+MR+" + g.NB + "::332'",
		"IDE+24+" + g.tx() + "'",
		"IMD++Z36+Z12'",
		dtm("92", g.Start),
		"STS+7++E03'",
		"LOC+172+" + g.MaLo + "'",
		"RFF+Z13:44001'",
		"RFF+Z18'",
		"DTM+Z20:12:802'",
		"SEQ+Z01'",
		"QTY+31:3200:KWH'",
		"QTY+Y02:3200:KWH'",
		"CCI+Z19++THE0BFL0000000AB'",
		"CCI+++Z15'",
		"CCI+++Z88'",
		"CAV+Z74:::Z09'",
		"CAV+Z73:::Z11'",
		"SEQ+Z07'",
		"CCI+++Z08'",
		"CAV+TK'",
		"SEQ+Z12'",
		"QTY+Z16:0:P1'",
		"NAD+Z09+++Musterfrau:Maria::::Z01'",
		"NAD+Z04+++Musterfrau:Maria::::Z01+Beispielweg::7+Beispielstadt++54321+DE'",
		"NAD+DP++++Beispielweg::7+Beispielstadt++54321+DE'",
		"NAD+Z05+++Musterfrau:Maria::::Z01+Beispielweg::7+Beispielstadt++54321+DE'",
	}
	if g.Break {
		body[0] = "UNH+1+UTILMD:D:11A:UN'"
	}
	var kept []string
	for _, s := range body {
		if g.Drop == "" || !strings.HasPrefix(s, g.Drop) {
			kept = append(kept, s)
		}
	}
	data := []string{
		"UNA:+.? '",
		"UNB+UNOC:3+" + mpGasLFX + ":502+" + g.NB + ":502+" + g.Received.UTC().Format("060102:1504") + "+" + g.ref() + "'",
	}
	data = append(data, kept...)
	data = append(data, "UNT+"+strconv.Itoa(len(kept)+1)+"+1'", "UNZ+1+"+g.ref()+"'")
	return []byte(strings.Join(data, ""))
}

// send publishes the interchange to the NB's ingest with its receipt time
// (Mako-Received-At) and returns its transaction id.
func (g gasLFX44001) send(t testing.TB, m *market) string {
	t.Helper()
	data := g.bytes(t)
	if g.Drop == "" && !g.Break {
		checkLFX(t, data, g.Received)
	}
	m.lfxSent.Store(g.ref(), g)
	msg := nats.NewMsg(inbound.Subject(engine.TenantID(m.nb.Tenant)))
	msg.Data = data
	msg.Header.Set(inbound.HeaderReceivedAt, g.Received.Format(time.RFC3339))
	_, err := m.nb.js.PublishMsg(context.Background(), msg)
	must(t, err)
	return g.tx()
}

// checkLFX fails the test if LFX's interchange has an edifact.Check or an
// AHB finding (else a scenario would test LFX, not the market).
func checkLFX(t testing.TB, data []byte, received time.Time) {
	t.Helper()
	ix, err := edifact.Parse(data)
	must(t, err)
	if rep := edifact.Check(ix, edifact.WithReceived(received)); len(rep.Findings) > 0 {
		t.Fatalf("LFX's interchange: edifact.Check: %v", rep.Findings)
	}
	rep, err := ahb.Validate(&ix.Messages[0], ahb.WithReceived(received))
	must(t, err)
	for _, f := range rep.Findings {
		t.Errorf("LFX's %v: %s: %s", rep.PIDs, f.Rule, f.Text)
	}
}

// TestGasLFXConforms: LFX's 44001 has no finding, its faulty variant the
// AHB finding it is meant to have.
func TestGasLFXConforms(t *testing.T) {
	g := gasLFX44001{MaLo: "51234567895", NB: "9800000000014", Start: gasDay(2027, 2, 1),
		Received: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)}
	checkLFX(t, g.bytes(t), g.Received)
	g.Drop = "SEQ+Z12"
	ix, err := edifact.Parse(g.bytes(t))
	must(t, err)
	rep, err := ahb.Validate(&ix.Messages[0], ahb.WithReceived(g.Received))
	must(t, err)
	if len(rep.Findings) == 0 {
		t.Error("44001 without SEQ+Z12 (Gemeinderabatt, Muss) has no AHB finding")
	}
}

// gasDay is the start of the Gastag of a date: 06:00 German local time
// (fristen.md §4; 05:00Z in winter, 04:00Z in summer) — the instant a gas
// supply starts or ends on that date.
func gasDay(y int, mo time.Month, d int) time.Time {
	t, _ := fristen.StromToGas(fristen.Date(y, mo, d))
	return t
}
