package console

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

var berlin = mustBerlin()

func mustBerlin() *time.Location {
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return l
}

// funcs are the template helpers.
var funcs = template.FuncMap{
	"zeit":      zeit,
	"zeitkurz":  func(t time.Time) string { return fmtTime(t, "02.01. 15:04") },
	"datum":     func(t time.Time) string { return fmtTime(t, "02.01.2006") },
	"zeitstr":   zeitStr,
	"pidname":   pidName,
	"statename": stateName,
	"reason":    reasonName,
	"status":    letterStatusName,
	"q":         url.QueryEscape,
	"join":      strings.Join,
	"add":       func(a, b int) int { return a + b },
	"pct": func(v, max int) int {
		if max <= 0 {
			return 0
		}
		return v * 100 / max
	},
	"short": func(s string) string {
		if len(s) > 8 {
			return s[:8]
		}
		return s
	},
	"delivery": deliveryName,
}

// zeit formats t in German local time with seconds.
func zeit(t time.Time) string { return fmtTime(t, "02.01.2006 15:04:05") }

func fmtTime(t time.Time, layout string) string {
	if t.IsZero() {
		return "–"
	}
	return t.In(berlin).Format(layout)
}

// zeitStr formats an RFC 3339 string in German local time.
func zeitStr(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return zeit(t)
}

// pidName returns "55001 Anmeldung NN" from the PID catalogue.
func pidName(pid string) string {
	if info, ok := catalog.DescribePID(pid); ok && info.Name != "" {
		return pid + " " + info.Name
	}
	return pid
}

// stateNames are the German labels of the outcome words (processor.Outcome)
// and of the state labels of gpke and geligas (projection.go of each; the
// GeLi Gas family adds "cancelled" and "informed"); other workflows' labels
// are shown as they name them.
var stateNames = map[string]string{
	"accepted": "angenommen", "rejected": "abgelehnt", "timeout": "Frist abgelaufen", "completed": "abgeschlossen",
	"failed": "gescheitert", "confirmed": "bestätigt", "aperak_rejected": "per APERAK abgelehnt",
	"contrl_rejected": "per CONTRL abgelehnt", "request_received": "Anfrage eingegangen", "initiated": "angestoßen (ERP)",
	"waiting_for_answer": "wartet auf Antwort", "waiting_for_lfa": "wartet auf den LFA", "waiting_for_decision": "wartet auf Entscheidung (ERP)",
	"cancelled": "storniert", "informed": "Information erhalten",
}

// stateName translates outcome words; workflow state labels are shown as
// the workflow names them.
func stateName(s string) string {
	if v, ok := stateNames[s]; ok {
		return v
	}
	return s
}

var reasonNames = map[string]string{
	"syntax_error": "Syntaxfehler (CONTRL)", "unknown_pid": "unbekannter Prüfidentifikator", "unknown_conversation": "Bezug unbekannt (APERAK Z33)",
	"version_mismatch": "Formatversion passt nicht", "duplicate": "Duplikat", "processing_error": "Verarbeitungsfehler",
	"test_message": "Testnachricht", "outbox_exhausted": "Zustellung gescheitert", "malformed": "nicht lesbar",
	"undecodable": "nicht lesbar",
}

// reasonName is the German label of a dead-letter reason.
func reasonName(r string) string {
	if v, ok := reasonNames[r]; ok {
		return v
	}
	return r
}

func letterStatusName(s string) string {
	switch s {
	case "", "open":
		return "offen"
	case "redriven":
		return "erneut eingestellt"
	case "discarded":
		return "verworfen"
	}
	return s
}

func deliveryName(s string) string {
	switch s {
	case "queued":
		return "in Zustellung"
	case "delivered":
		return "zugestellt"
	case "failed":
		return "Zustellung gescheitert"
	}
	return s
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// werktageText describes the remaining Werktage until due.
func werktageText(n int, due, now time.Time) string {
	switch {
	case due.Before(now):
		return "überfällig"
	case n == 0:
		return "heute fällig"
	case n == 1:
		return "noch 1 Werktag"
	}
	return "noch " + strconv.Itoa(n) + " Werktage"
}
