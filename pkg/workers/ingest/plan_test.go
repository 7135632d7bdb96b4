package ingest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mako-engine/mako/internal/testflow"
	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

const (
	planSender = "9900000000004"
	planOwn    = "9900000000011"
)

// planMessage parses one message of an interchange made of segs.
func planMessage(t *testing.T, segs ...string) *edifact.Message {
	t.Helper()
	all := append([]string{"UNA:+.? '", "UNB+UNOC:3+" + planSender + ":500+" + planOwn + ":500+261120:0915+IX1'"}, segs...)
	all = append(all, "UNZ+1+IX1'")
	ix, err := edifact.Parse([]byte(strings.Join(all, "")))
	if err != nil {
		t.Fatal(err)
	}
	return &ix.Messages[0]
}

// utilmd is a UTILMD with one transaction of pid, optionally referencing
// the transaction ref (RFF+TN).
func utilmd(pid, tx, ref string) []string {
	segs := []string{"UNH+1+UTILMD:D:11A:UN:S2.2'", "BGM+E01+DOK1'", "DTM+137:202611200915?+00:303'",
		"NAD+MS+" + planSender + "::293'", "NAD+MR+" + planOwn + "::293'", "IDE+24+" + tx + "'", "LOC+Z16+51234567895'"}
	if ref != "" {
		segs = append(segs, "RFF+TN:"+ref+"'")
	}
	segs = append(segs, "RFF+Z13:"+pid+"'")
	return append(segs, fmt.Sprintf("UNT+%d+1'", len(segs)))
}

// TestPlan decides per transaction without any I/O: the table covers every
// action and every reason for a refusal.
func TestPlan(t *testing.T) {
	v := fv.MustParse("FV2604")
	def := testflow.Module(v).Definitions[0]
	router, err := routing.New(
		routing.Route{PID: "55001", Workflow: def.ID().Name, Initiating: true},
		routing.Route{PID: "55002", Workflow: def.ID().Name},
		routing.Route{PID: "55022", Workflow: def.ID().Name},
		routing.Route{PID: "55077", Workflow: "not.registered", Initiating: true},
	)
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(name string, fvv fv.Version) (engine.AnyDefinition, error) {
		if name == def.ID().Name && fvv == v {
			return def, nil
		}
		return nil, fmt.Errorf("%w: %s %s", engine.ErrUnknownWorkflow, name, fvv)
	}
	for _, tc := range []struct {
		name     string
		segs     []string
		version  fv.Version
		action   Action
		refusal  deadletter.Reason
		code     string
		tried    string
		keys     []engine.BusinessKey
		convKey  string
		orphanOK bool
	}{
		{name: "initiating PID spawns under the conversation key", segs: utilmd("55001", "TX1", ""), version: v, action: Spawn,
			convKey: inbound.ConversationKey("TX1@IX1/1", planSender)},
		{name: "unrouted PID is refused Z31", segs: utilmd("55555", "TX2", ""), version: v, action: Refuse,
			refusal: deadletter.ReasonUnknownPID, code: "Z31"},
		{name: "format version without workflow is refused Z31", segs: utilmd("55001", "TX3", ""), version: fv.MustParse("FV2610"), action: Refuse,
			refusal: deadletter.ReasonVersionMismatch, code: "Z31"},
		{name: "route to an unknown workflow is refused Z31", segs: utilmd("55077", "TX4", ""), version: v, action: Refuse,
			refusal: deadletter.ReasonVersionMismatch, code: "Z31"},
		{name: "follow-up looks up the referenced transaction", segs: utilmd("55002", "TX5", "TX1"), version: v, action: FollowUp,
			keys: []engine.BusinessKey{inbound.TransactionKey(planOwn, "TX1")}, orphanOK: true},
		{name: "cancellation is found by the cancelled transaction of its sender", version: v, action: FollowUp, orphanOK: true,
			segs: func() []string {
				segs := utilmd("55022", "TX7", "")
				return append(segs[:len(segs)-2], "RFF+ACW:TX1'", "RFF+Z13:55022'", "UNT+9+1'")
			}(),
			keys: []engine.BusinessKey{inbound.TransactionKey(planSender, "TX1")}},
		{name: "follow-up without reference has nothing to look up", segs: utilmd("55002", "TX6", ""), version: v, action: FollowUp, orphanOK: true},
		{name: "APERAK is an answer found by document, then transaction", version: v, action: Answer,
			segs: []string{"UNH+1+APERAK:D:07B:UN:2.1i'", "BGM+313+A1'", "RFF+AGO:DOK9'", "RFF+TN:TX9'", "UNT+5+1'"},
			keys: []engine.BusinessKey{inbound.DocumentKey(planOwn, "DOK9"), inbound.TransactionKey(planOwn, "TX9")}, tried: "document DOK9, transaction TX9"},
		{name: "CONTRL is an answer found by interchange", version: v, action: Answer,
			segs: []string{"UNH+1+CONTRL:D:3:UN:2.0b'", "UCI+REF7+" + planOwn + ":500+" + planSender + ":500+7'", "UNT+3+1'"},
			keys: []engine.BusinessKey{inbound.InterchangeKey(planOwn, "REF7")}, tried: "interchange REF7"},
		{name: "answer without references", version: v, action: Answer,
			segs: []string{"UNH+1+APERAK:D:07B:UN:2.1i'", "BGM+313+A2'", "UNT+3+1'"}, tried: "no reference (RFF+AGO, RFF+TN or UCI)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := planMessage(t, tc.segs...)
			steps := plan(planInput{Own: planOwn, Sender: planSender, InterchangeRef: "IX1", Message: m, Sector: catalog.Strom, Version: tc.version,
				Roles: []routing.Role{routing.RoleNB}}, router.Resolve, lookup)
			if len(steps) != 1 {
				t.Fatalf("%d steps", len(steps))
			}
			st := steps[0]
			if st.Action != tc.action {
				t.Fatalf("action %s, want %s", st.Action, tc.action)
			}
			if tc.refusal != "" && (st.Refusal == nil || st.Refusal.Reason != tc.refusal || st.Refusal.Code != tc.code || st.Refusal.Detail == "") {
				t.Fatalf("refusal %+v, want %s %s", st.Refusal, tc.refusal, tc.code)
			}
			if tc.refusal == "" && st.Refusal != nil {
				t.Fatalf("unexpected refusal %+v", st.Refusal)
			}
			if fmt.Sprint(st.Keys) != fmt.Sprint(tc.keys) {
				t.Fatalf("keys %v, want %v", st.Keys, tc.keys)
			}
			if st.Tried != tc.tried || st.ConversationKey != tc.convKey {
				t.Fatalf("tried %q conversation key %q", st.Tried, st.ConversationKey)
			}
			if (st.Action == Spawn || st.Action == FollowUp) && st.Definition.ID() != def.ID() {
				t.Fatalf("definition %v", st.Definition.ID())
			}
			if tc.orphanOK && (st.Orphan == nil || st.Orphan.Code != "Z33" || st.Orphan.Reason != deadletter.ReasonUnknownConversation) {
				t.Fatalf("orphan refusal %+v", st.Orphan)
			}
		})
	}
}

// TestPlanSeveralTransactions keeps the transactions' order.
func TestPlanSeveralTransactions(t *testing.T) {
	v := fv.MustParse("FV2604")
	def := testflow.Module(v).Definitions[0]
	router, err := routing.New(routing.Route{PID: "55001", Workflow: def.ID().Name, Initiating: true})
	if err != nil {
		t.Fatal(err)
	}
	segs := []string{"UNH+1+UTILMD:D:11A:UN:S2.2'", "BGM+E01+DOK1'", "DTM+137:202611200915?+00:303'",
		"NAD+MS+" + planSender + "::293'", "NAD+MR+" + planOwn + "::293'",
		"IDE+24+TXA'", "RFF+Z13:55001'", "IDE+24+TXB'", "RFF+Z13:55999'", "UNT+10+1'"}
	steps := plan(planInput{Own: planOwn, Sender: planSender, InterchangeRef: "IX1", Message: planMessage(t, segs...), Sector: catalog.Strom, Version: v},
		router.Resolve, func(string, fv.Version) (engine.AnyDefinition, error) { return def, nil })
	if len(steps) != 2 || steps[0].Action != Spawn || steps[0].Tx.ID != "TXA" || steps[1].Action != Refuse || steps[1].Tx.ID != "TXB" {
		t.Fatalf("steps %+v", steps)
	}
}

// TestPlanAHB: the AHB validation is an input of the plan. A finding with an
// APERAK code refuses the transaction it lies in (and a message-level one
// every transaction) before any spawn or lookup; findings of other kinds,
// of other transactions, and a message that was not validated refuse
// nothing.
func TestPlanAHB(t *testing.T) {
	v := fv.MustParse("FV2604")
	def := testflow.Module(v).Definitions[0]
	router, err := routing.New(routing.Route{PID: "55001", Workflow: def.ID().Name, Initiating: true},
		routing.Route{PID: "55002", Workflow: def.ID().Name})
	if err != nil {
		t.Fatal(err)
	}
	lookup := func(string, fv.Version) (engine.AnyDefinition, error) { return def, nil }
	// Segments: 0 UNH 1 BGM 2 DTM 3 NAD 4 NAD | 5 IDE TXA 6 DTM 7 RFF | 8 IDE TXB 9 RFF 10 RFF | 11 UNT
	segs := []string{"UNH+1+UTILMD:D:11A:UN:S2.2'", "BGM+E01+DOK1'", "DTM+137:202611200915?+00:303'",
		"NAD+MS+" + planSender + "::293'", "NAD+MR+" + planOwn + "::293'",
		"IDE+24+TXA'", "DTM+92:2026X'", "RFF+Z13:55001'", "IDE+24+TXB'", "RFF+Z13:55002'", "RFF+TN:TX0'", "UNT+12+1'"}
	missing := ahb.Finding{Rule: "missing-group@55001:SG4/SG8/SEQ+Z79", Kind: ahb.KindMissingGroup, Segment: 5, APERAK: "Z29", Tag: "SEQ", Qualifier: "Z79", Text: "missing"}
	format := ahb.Finding{Rule: "format@55001:SG4/DTM+92/2380", Kind: ahb.KindFormat, Segment: 6, APERAK: "Z35", Tag: "DTM", Qualifier: "92", Text: "format"}
	header := ahb.Finding{Rule: "format@55002:DTM+137/2380", Kind: ahb.KindFormat, Segment: 2, APERAK: "Z35", Tag: "DTM", Qualifier: "137", Text: "format"}
	foreseen := ahb.Finding{Rule: "not-foreseen@55002:SG4/LOC+Z16", Kind: ahb.KindNotForeseen, Segment: 9, Text: "ignored"}
	many := make([]ahb.Finding, 0, maxProblems+3)
	for range maxProblems + 3 {
		many = append(many, missing)
	}
	for _, tc := range []struct {
		name     string
		check    ahbResult
		want     [2]Action
		codes    [2]string
		problems int
	}{
		{name: "not validated", check: ahbResult{}, want: [2]Action{Spawn, FollowUp}},
		{name: "clean", check: ahbResult{Report: &ahb.Report{FV: "FV2604"}}, want: [2]Action{Spawn, FollowUp}},
		{name: "findings of the first transaction refuse only it", check: ahbResult{Report: &ahb.Report{FV: "FV2604", Findings: []ahb.Finding{missing, format}}},
			want: [2]Action{Refuse, FollowUp}, codes: [2]string{"Z29", ""}, problems: 2},
		{name: "a message-level finding refuses every transaction", check: ahbResult{Report: &ahb.Report{FV: "FV2604", Findings: []ahb.Finding{header}}},
			want: [2]Action{Refuse, Refuse}, codes: [2]string{"Z35", "Z35"}, problems: 1},
		{name: "content not foreseen never refuses", check: ahbResult{Report: &ahb.Report{FV: "FV2604", Findings: []ahb.Finding{foreseen}}},
			want: [2]Action{Spawn, FollowUp}},
		{name: "the findings an APERAK carries are bounded", check: ahbResult{Report: &ahb.Report{FV: "FV2604", Findings: many}},
			want: [2]Action{Refuse, FollowUp}, codes: [2]string{"Z29", ""}, problems: maxProblems},
	} {
		t.Run(tc.name, func(t *testing.T) {
			steps := plan(planInput{Own: planOwn, Sender: planSender, InterchangeRef: "IX1", Message: planMessage(t, segs...), Sector: catalog.Strom,
				Version: v, Roles: []routing.Role{routing.RoleNB}, AHB: tc.check}, router.Resolve, lookup)
			if len(steps) != 2 {
				t.Fatalf("%d steps", len(steps))
			}
			for i, st := range steps {
				if st.Action != tc.want[i] {
					t.Fatalf("transaction %s: action %s, want %s", st.Tx.ID, st.Action, tc.want[i])
				}
				if st.Action != Refuse {
					continue
				}
				r := st.Refusal
				if r.Code != tc.codes[i] || r.Reason != deadletter.ReasonAHB || r.Result != "ahb_rejected" || len(r.Findings) != tc.problems {
					t.Fatalf("transaction %s: refusal %+v", st.Tx.ID, r)
				}
				if !strings.Contains(r.Detail, r.Findings[0].Rule) || (tc.problems == maxProblems && !strings.Contains(r.Detail, "and 3 more")) {
					t.Fatalf("detail %q", r.Detail)
				}
			}
		})
	}
}

// TestPlanSpawnKeyNamesWhereTheRequestArrived: the same transaction id in
// another interchange (a request re-sent after a rejection, a new one
// reusing an id) is planned under another conversation key, so it starts a
// process of its own instead of reaching one that has ended (issue 12
// item 4); the same interchange planned again gets the same key (a
// redelivery resumes its process).
func TestPlanSpawnKeyNamesWhereTheRequestArrived(t *testing.T) {
	v := fv.MustParse("FV2604")
	def := testflow.Module(v).Definitions[0]
	router, err := routing.New(routing.Route{PID: "55001", Workflow: def.ID().Name, Initiating: true})
	if err != nil {
		t.Fatal(err)
	}
	key := func(ix string) string {
		steps := plan(planInput{Own: planOwn, Sender: planSender, InterchangeRef: ix, Message: planMessage(t, utilmd("55001", "TX1", "")...), Sector: catalog.Strom, Version: v},
			router.Resolve, func(string, fv.Version) (engine.AnyDefinition, error) { return def, nil })
		if len(steps) != 1 || steps[0].Action != Spawn {
			t.Fatalf("steps %+v", steps)
		}
		return steps[0].ConversationKey
	}
	if a, b := key("IX1"), key("IX1"); a != b {
		t.Fatalf("the same interchange planned twice: keys %q, %q", a, b)
	}
	if a, b := key("IX1"), key("IX2"); a == b {
		t.Fatalf("a new interchange reusing transaction id TX1 is planned under the old key %q", a)
	}
}
