package utilmdkit

import "testing"

// RevokeAnfrage cancels only an Anfrage that was sent and is still open.
func TestRevokeAnfrageOnlyOpen(t *testing.T) {
	for _, tc := range []struct {
		a    OpenAnfrage
		want bool
	}{
		{OpenAnfrage{}, false},
		{OpenAnfrage{Tx: "V1", LFA: "9900000000028"}, true},
		{OpenAnfrage{Tx: "V1", LFA: "9900000000028", Answered: true}, false},
		{OpenAnfrage{Tx: "V1", LFA: "9900000000028", Expired: true}, false},
	} {
		called := false
		if err := RevokeAnfrage(tc.a, func(lfa, tx string) error {
			called = lfa == "9900000000028" && tx == "V1"
			return nil
		}); err != nil || called != tc.want {
			t.Errorf("%+v: sent %v, want %v", tc.a, called, tc.want)
		}
	}
}

// OwnStorno.Resolve sends only for a transaction of the process, not a
// Stornierung, to its recipient; the use case's category wins over the
// ERP's (noted); the ERP's counts where the use case has none.
func TestOwnStornoResolve(t *testing.T) {
	sent := OwnStorno{Tx: "V1", Found: true, PID: "44001", Recipient: "NB", BGM: "E01", To: "NB", Category: "E01"}
	for _, tc := range []struct {
		name     string
		c        OwnStorno
		category string
		ok, note bool
	}{
		{"own request", sent, "E01", true, false},
		{"unknown", OwnStorno{Tx: "V9", To: "NB", Category: "E01"}, "", false, true},
		{"a Stornierung", func() OwnStorno { c := sent; c.Storno = true; return c }(), "", false, true},
		{"other recipient", func() OwnStorno { c := sent; c.To = "LFA"; return c }(), "", false, true},
		{"category replaced", func() OwnStorno { c := sent; c.Category = "E02"; return c }(), "E01", true, true},
		{"no use-case category", func() OwnStorno { c := sent; c.BGM, c.Category = "", "E35"; return c }(), "E35", true, false},
	} {
		category, note, ok := tc.c.Resolve()
		if category != tc.category || ok != tc.ok || (note != "") != tc.note {
			t.Errorf("%s: %q %q %v", tc.name, category, note, ok)
		}
	}
}

// CancelsOwnRequest: only the first transaction of an ERP-started process.
func TestCancelsOwnRequest(t *testing.T) {
	if !CancelsOwnRequest(true, "V1", "V1") || CancelsOwnRequest(false, "V1", "V1") || CancelsOwnRequest(true, "V1", "V2") || CancelsOwnRequest(true, "", "") {
		t.Fatal("CancelsOwnRequest")
	}
}

// OwnStornoOf fills in what the process sent of the transaction, marks a
// Stornierung as such, and leaves an unknown transaction not found.
func TestOwnStornoOf(t *testing.T) {
	sent := func(tx string) (string, string, bool) {
		switch tx {
		case "V1":
			return "44001", "NB", true
		case "V2":
			return "44022", "NB", true
		}
		return "", "", false
	}
	bgm := func(pid string) string {
		if pid == "44001" {
			return "E01"
		}
		return ""
	}
	req := RequestCancellation[tag]{TransactionID: "V1", Recipient: "NB", Category: "E02"}
	want := OwnStorno{Tx: "V1", Found: true, PID: "44001", Recipient: "NB", BGM: "E01", To: "NB", Category: "E02"}
	if got := OwnStornoOf(req, "44022", sent, bgm); got != want {
		t.Errorf("V1: %+v, want %+v", got, want)
	}
	req.TransactionID = "V2"
	if got := OwnStornoOf(req, "44022", sent, bgm); !got.Found || !got.Storno || got.BGM != "" {
		t.Errorf("V2: %+v", got)
	}
	req.TransactionID = "V9"
	if got := OwnStornoOf(req, "44022", sent, bgm); got.Found || got.Tx != "V9" || got.To != "NB" || got.Category != "E02" {
		t.Errorf("V9: %+v", got)
	}
}

// OwnStorno.Send notes Resolve's note and sends only when Resolve says so,
// with its category; send's error is returned.
func TestOwnStornoSend(t *testing.T) {
	sent := OwnStorno{Tx: "V1", Found: true, PID: "44001", Recipient: "NB", BGM: "E01", To: "NB", Category: "E02"}
	var notes, sends []string
	note := func(n string) { notes = append(notes, n) }
	send := func(category string) error { sends = append(sends, category); return nil }
	if err := sent.Send(note, send); err != nil || len(notes) != 1 || len(sends) != 1 || sends[0] != "E01" {
		t.Fatalf("replaced category: %v %q %q", err, notes, sends)
	}
	notes, sends = nil, nil
	if err := (OwnStorno{Tx: "V9", To: "NB", Category: "E01"}).Send(note, send); err != nil || len(notes) != 1 || len(sends) != 0 {
		t.Fatalf("unknown: %v %q %q", err, notes, sends)
	}
	notes, sends = nil, nil
	c := sent
	c.Category = "E01"
	boom := ErrNonConformant // any error of send
	if err := c.Send(note, func(string) error { return boom }); err != boom || len(notes) != 0 {
		t.Fatalf("send error: %v %q", err, notes)
	}
}
