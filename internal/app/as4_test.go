package app

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mako-engine/mako/pkg/as4/ebms"
	"github.com/mako-engine/mako/pkg/as4/msh"
	"github.com/mako-engine/mako/pkg/as4/msh/mshtest"
	"github.com/mako-engine/mako/pkg/as4/smpki/smpkitest"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/streams"
)

// makod with --as4-listen serves the AS4 endpoint: a signed, encrypted UTILMD from a partner
// gets a signed receipt and lands on MAKO_INGEST with its MessageId as transport id.
func TestDaemonAS4(t *testing.T) {
	t.Setenv("NATS_URL", "")
	dir := t.TempDir()
	now := time.Now()
	pki, err := smpkitest.NewPKI(now.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	nb, err := mshtest.NewParty(pki, "9900000000011", "nb", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	lf, err := mshtest.NewParty(pki, "9900000000004", "lfn", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "as4")
	if err := mshtest.WriteIdentityDir(filepath.Join(keys, nb.MPID), nb, pki); err != nil {
		t.Fatal(err)
	}
	roots := filepath.Join(dir, "roots.pem")
	if err := os.WriteFile(roots, []byte(mshtest.PEM(pki.Root.Cert)), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	as4Addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- RunDaemon(ctx, []string{"--data", filepath.Join(dir, "data"), "--listen", addr, "--log-level", "warn", "--http", "", "--modules", "testflow",
			"--as4-listen", as4Addr, "--as4-keys", keys, "--as4-roots", roots}, &stderr)
	}()
	nc := connectDaemon(t, addr, &stderr)
	defer nc.Close()
	js, _ := jetstream.New(nc)
	var pst *partner.NATSStore
	for i := 0; i < 100; i++ {
		if kv, err := js.KeyValue(ctx, streams.BucketPartners); err == nil {
			if pst, err = partner.NewNATSStore(kv); err != nil {
				t.Fatal(err)
			}
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if pst == nil {
		t.Fatalf("no partner bucket; stderr: %s", stderr.String())
	}
	if _, err := pst.Put(ctx, "nb", partner.Partner{MPID: lf.MPID, Channels: []partner.Channel{lf.Channel("https://lf.example.test/as4", partner.RelationshipConfirmed)}}); err != nil {
		t.Fatal(err)
	}
	edi := []byte("UNA:+.? 'UNB+UNOC:3+9900000000004:500+9900000000011:500+261120:0915+MKAS4'UNH+1+UTILMD:D:11A:UN:S2.2'BGM+E01+DOK1'UNT+3+1'UNZ+1+MKAS4'")
	m := ebms.NewBDEWUserMessage("daemon-1@lf", now, ebms.Party{ID: lf.MPID, Type: ebms.PartyTypeBDEW}, ebms.Party{ID: nb.MPID, Type: ebms.PartyTypeBDEW}, ebms.ServiceMP,
		ebms.EDIFACTPart("p1", "UTILMD", "MKAS4", now, ""))
	s, err := ebms.Seal(m, []ebms.Payload{{ContentID: "p1", Data: edi}}, lf.Identity.Signer, nb.Enc.Cert, nil)
	if err != nil {
		t.Fatal(err)
	}
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Post("http://"+as4Addr+msh.DefaultPath, s.ContentType, bytes.NewReader(s.Body)); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("POST: %v; stderr: %s", err, stderr.String())
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	env, _, err := ebms.ReadMultipart(resp.Header.Get("Content-Type"), bytes.NewReader(body), 1<<20)
	if err != nil {
		t.Fatalf("%s: %v %s", resp.Status, err, body)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(env); err != nil {
		t.Fatal(err)
	}
	sig, err := ebms.ParseSignalMessage(doc)
	if err != nil || sig.Receipt == nil {
		t.Fatalf("answer %+v %v: %s", sig, err, env)
	}
	st, err := js.Stream(ctx, streams.Ingest)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := st.GetLastMsgForSubject(ctx, inbound.Subject("nb"))
	if err != nil || !bytes.Equal(raw.Data, edi) || raw.Header.Get(inbound.HeaderTransportID) != "daemon-1@lf" {
		t.Fatalf("ingest: %v %+v", err, raw)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("makod: %v; stderr: %s", err, stderr.String())
	}
}

// makod refuses an AS4 endpoint beyond loopback without TLS or a terminator.
func TestDaemonAS4RefusesPlainNonLoopback(t *testing.T) {
	t.Setenv("NATS_URL", "")
	dir := t.TempDir()
	var stderr bytes.Buffer
	err := RunDaemon(context.Background(), []string{"--data", dir, "--listen", "127.0.0.1:" + strconv.Itoa(freePort(t)), "--log-level", "error", "--http", "",
		"--modules", "testflow", "--as4-listen", "0.0.0.0:9443"}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "beyond loopback") {
		t.Fatalf("err %v", err)
	}
}
