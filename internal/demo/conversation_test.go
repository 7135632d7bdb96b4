package demo

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/nats-io/nats.go"
)

const (
	tLFN = "9900000000004"
	tNB  = "9900000000011"
)

// buildUTILMD builds a one-transaction UTILMD Strom FV2610 interchange.
func buildUTILMD(from, to, ref, doc, tx, pid, malo string, extra ...string) []byte {
	segs := []string{
		"UNA:+.? '",
		"UNB+UNOC:3+" + from + ":500+" + to + ":500+261120:0915+" + ref + "'",
		"UNH+1+UTILMD:D:11A:UN:S2.2'",
		"BGM+E01+" + doc + "'",
		"DTM+137:202611200915?+00:303'",
		"NAD+MS+" + from + "::293'",
		"NAD+MR+" + to + "::293'",
		"IDE+24+" + tx + "'",
		"DTM+92:202611232300?+00:303'",
		"STS+7++E03+ZW4'",
	}
	segs = append(segs, extra...)
	segs = append(segs, "LOC+Z16+"+malo+"'", "RFF+Z13:"+pid+"'")
	n := len(segs) - 2 + 1 // UNH … RFF plus UNT, without UNA and UNB
	return []byte(strings.Join(append(segs, "UNT+"+strconv.Itoa(n)+"+1'", "UNZ+1+"+ref+"'"), ""))
}

func outboxMsg(t *testing.T, tenant, sender, recipient, typ, ref string, data []byte, at time.Time) Message {
	t.Helper()
	h := nats.Header{}
	h.Set("Mako-Message-Id", tenant+"-"+ref)
	h.Set("Mako-Sender", sender)
	h.Set("Mako-Message-Type", typ)
	h.Set("Mako-Process", "p-"+ref)
	h.Set("Mako-Interchange-Ref", ref)
	m, err := Decode("mako.outbox."+tenant+"."+recipient, h, data, at)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The conversation of a MaLo is the UTILMDs about it plus everything that
// references them; it is open until every UTILMD has its APERAK and every
// request its answer.
func TestSelectAndOpen(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)
	req := outboxMsg(t, "lfn", tLFN, tNB, "UTILMD", "G1", buildUTILMD(tLFN, tNB, "G1", "D1", "V1", "55001", "51234567895"), at)
	if req.PID != "55001" || req.Transaction != "V1" || req.MaLo != "51234567895" || !req.IsRequest() || len(req.Findings) != 0 ||
		req.From != tLFN || req.To != tNB || req.Document != "D1" || !slices2(req.Reasons, "E03", "ZW4") {
		t.Fatalf("55001 decoded as %+v", req)
	}
	other := outboxMsg(t, "lfn", tLFN, tNB, "UTILMD", "G9", buildUTILMD(tLFN, tNB, "G9", "D9", "V9", "55001", "57000000010"), at)

	c := Select([]Message{req, other}, "51234567895")
	if len(c.Messages) != 1 || len(c.Open()) != 2 {
		t.Fatalf("conversation %v open %v", c.Sequence(), c.Open())
	}

	// The NB's APERAK 312 and its 55002 with A51:E_0623.
	ix, err := edifact.Parse(req.Raw)
	if err != nil {
		t.Fatal(err)
	}
	unit := edifact.Transactions(&ix.Messages[0])[0]
	ref, err := aperak.ReferenceFrom(ix, &ix.Messages[0], &unit)
	if err != nil {
		t.Fatal(err)
	}
	ab, err := aperak.Build(aperak.Params{FormatVersion: fv.MustParse("FV2610"), Ref: "A1", Time: at}, aperak.Message{Ref: "1", DocumentNumber: "A1", Reference: ref})
	if err != nil {
		t.Fatal(err)
	}
	ack := outboxMsg(t, "nb", tNB, tLFN, "APERAK", "A1", ab, at.Add(time.Second))
	if ack.Type != "APERAK" || ack.DocCode != "312" || ack.RefTN != "V1" || ack.RefDocument != "D1" {
		t.Fatalf("APERAK decoded as %+v", ack)
	}
	ans := outboxMsg(t, "nb", tNB, tLFN, "UTILMD", "G2", buildUTILMD(tNB, tLFN, "G2", "D2", "V2", "55002", "51234567895",
		"STS+E01++A51:E_0623'", "RFF+TN:V1'"), at.Add(2*time.Second))
	if ans.Code != "A51" || ans.EBD != "E_0623" || ans.RefTN != "V1" || ans.IsRequest() {
		t.Fatalf("55002 decoded as %+v", ans)
	}
	c = Select([]Message{req, other, ack, ans}, "51234567895")
	if got := strings.Join(c.Sequence(), " "); got != "55001 APERAK 312 55002" {
		t.Fatalf("sequence %q", got)
	}
	if open := c.Open(); len(open) != 1 || !strings.Contains(open[0], "APERAK for 55002 V2") {
		t.Fatalf("open %v", open)
	}
	if len(c.AnswerTo("V1")) != 1 || len(c.AperakFor("V1")) != 1 || len(c.UTILMD("55002")) != 1 {
		t.Fatal("lookups")
	}
	names := DefaultMarket.Names()
	for _, want := range []string{"LFN → NB", "UTILMD 55001", "MaLo 51234567895 on 2026-11-24"} {
		if l := req.Line(names); !strings.Contains(l, want) {
			t.Errorf("line %q lacks %q", l, want)
		}
	}
	if l := ans.Line(names); !strings.Contains(l, "55002 A51:E_0623") || !strings.Contains(l, "answers V1") {
		t.Errorf("line %q", l)
	}
	if l := ack.Line(names); !strings.Contains(l, "APERAK 312") || !strings.Contains(l, "for tx V1 (doc D1)") {
		t.Errorf("line %q", l)
	}
}

func TestDecodeRejectsGarbage(t *testing.T) {
	if _, err := Decode("mako.outbox.nb."+tLFN, nats.Header{"Mako-Message-Id": {"x"}}, []byte("not edifact"), time.Now()); err == nil {
		t.Fatal("garbage decoded")
	}
	if _, err := Decode("elsewhere", nats.Header{}, nil, time.Now()); err == nil {
		t.Fatal("foreign subject decoded")
	}
}

func slices2(got []string, want ...string) bool {
	return strings.Join(got, ",") == strings.Join(want, ",")
}

const (
	gLFN = "9800000000007"
	gNB  = "9800000000014"
)

// buildGasUTILMD builds a one-transaction UTILMD Gas FV2610 interchange
// naming the MaLo in LOC+172 (and a MeLo beside it).
func buildGasUTILMD(from, to, ref, doc, tx, pid, malo string, extra ...string) []byte {
	s := string(buildUTILMD(from, to, ref, doc, tx, pid, malo, extra...))
	s = strings.NewReplacer(":500+", ":502+", "::293'", "::332'", "S2.2", "G1.2",
		"LOC+Z16+"+malo+"'", "LOC+172+"+malo+"'LOC+172+"+DemoMeLo(malo)+"'").Replace(s)
	// One more segment (the MeLo's LOC): UNT counts it.
	i := strings.Index(s, "UNT+")
	j := strings.Index(s[i:], "+1'")
	n, _ := strconv.Atoi(s[i+4 : i+j])
	return []byte(s[:i] + "UNT+" + strconv.Itoa(n+1) + s[i+j:])
}

// gasContrl is the positive CONTRL the recipient of a clean Gas interchange sends.
func gasContrl(t *testing.T, data []byte, ref string) []byte {
	t.Helper()
	ix, rep, err := edifact.Analyze(data)
	if err != nil {
		t.Fatal(err)
	}
	out, due, reason, err := edifact.BuildCONTRL(ix, rep, edifact.ContrlParams{Ref: ref, Time: time.Date(2026, 11, 20, 9, 16, 0, 0, time.UTC)})
	if err != nil || !due {
		t.Fatalf("CONTRL: due %v (%s) %v; findings %v", due, reason, err, rep.Findings)
	}
	return out
}

// A Gas conversation: the MaLo comes from LOC+172, every interchange waits
// for its CONTRL (positive too), no APERAK is awaited.
func TestGasConversation(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)
	raw := buildGasUTILMD(gLFN, gNB, "G1", "D1", "V1", "44001", "41000000004")
	req := outboxMsg(t, "lfn", gLFN, gNB, "UTILMD", "G1", raw, at)
	if req.MaLo != "41000000004" || !req.IsGas() || !req.IsRequest() || len(req.Findings) != 0 {
		t.Fatalf("44001 decoded as %+v", req)
	}
	c := Select([]Message{req}, "41000000004")
	if open := c.Open(); len(open) != 2 || !strings.Contains(strings.Join(open, ";"), "CONTRL for UTILMD 44001 G1") || strings.Contains(strings.Join(open, ";"), "APERAK") {
		t.Fatalf("open %v", open)
	}
	ack := outboxMsg(t, "nb", gNB, gLFN, "CONTRL", "C1", gasContrl(t, raw, "C1"), at.Add(time.Second))
	if ack.Type != "CONTRL" || ack.DocCode != "7" || ack.RefInterchange != "G1" || !ack.IsGas() {
		t.Fatalf("CONTRL decoded as %+v", ack)
	}
	// The NB's 44036 references the 44001 but does not answer it.
	infoRaw := buildGasUTILMD(gNB, gLFN, "G3", "D3", "V3", "44036", "41000000004", "RFF+TN:V1'")
	info := outboxMsg(t, "nb", gNB, gLFN, "UTILMD", "G3", infoRaw, at.Add(time.Second))
	infoAck := outboxMsg(t, "lfn", gLFN, gNB, "CONTRL", "C3", gasContrl(t, infoRaw, "C3"), at.Add(time.Second))
	c = Select([]Message{req, ack, info, infoAck}, "41000000004")
	if open := c.Open(); len(open) != 1 || !strings.Contains(open[0], "answer to 44001 V1") {
		t.Fatalf("open after the 44036: %v", open)
	}
	ansRaw := buildGasUTILMD(gNB, gLFN, "G2", "D2", "V2", "44002", "41000000004", "RFF+TN:V1'")
	ans := outboxMsg(t, "nb", gNB, gLFN, "UTILMD", "G2", ansRaw, at.Add(2*time.Second))
	c = Select([]Message{req, ack, ans}, "41000000004")
	if open := c.Open(); len(open) != 1 || !strings.Contains(open[0], "CONTRL for UTILMD 44002 G2") {
		t.Fatalf("open %v", open)
	}
	back := outboxMsg(t, "lfn", gLFN, gNB, "CONTRL", "C2", gasContrl(t, ansRaw, "C2"), at.Add(3*time.Second))
	c = Select([]Message{req, ack, ans, back}, "41000000004")
	if open := c.Open(); len(open) != 0 || strings.Join(c.Sequence(), " ") != "44001 CONTRL 7 44002 CONTRL 7" {
		t.Fatalf("open %v, sequence %v", open, c.Sequence())
	}
	if l := back.Line(DefaultGasMarket.Names()); !strings.Contains(l, "LFN → NB   CONTRL 7  for interchange G2") {
		t.Errorf("line %q", l)
	}
}
