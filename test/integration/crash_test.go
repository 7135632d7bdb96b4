package integration

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// EnvCrashLong selects the long crash test: MAKO_CRASH_LONG=1 runs 2,000
// interchanges through at least 10 kills (the CI size is 300 through 3).
const EnvCrashLong = "MAKO_CRASH_LONG"

// makodProc is one makod subprocess on a data directory.
type makodProc struct {
	bin, data, listen, log string
	cmd                    *exec.Cmd
	done                   chan struct{}
}

func (p *makodProc) start(t *testing.T) {
	t.Helper()
	lf, err := os.OpenFile(p.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(p.bin, "--data", p.data, "--listen", p.listen, "--http", "", "--modules", "testflow",
		"--tenant", "nb="+mpNB+":NB:strom", "--log-level", "warn", "--concurrency", "8")
	p.cmd.Env = append(os.Environ(), "NATS_URL=")
	p.cmd.Stdout, p.cmd.Stderr = lf, lf
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.done = make(chan struct{})
	go func(c *exec.Cmd, done chan struct{}, f *os.File) {
		_ = c.Wait()
		f.Close()
		close(done)
	}(p.cmd, p.done, lf)
}

func (p *makodProc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

func (p *makodProc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.kill()
	}
}

// buildMakod builds cmd/makod once into dir.
func buildMakod(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "makod")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/mako-engine/mako/cmd/makod").CombinedOutput()
	if err != nil {
		t.Fatalf("go build makod: %v\n%s", err, out)
	}
	return bin
}

var answeredDoc = regexp.MustCompile(`RFF\+AGO:DOK(CRASHTX[0-9]+)'`)

// TestCrashSIGKILLAnswersEveryInterchangeOnce runs makod as a subprocess,
// publishes interchanges to it as a gateway would (JetStream publish with a
// message id, retried until acknowledged), kills it with SIGKILL at random
// moments and restarts it on the same data directory. Afterwards every
// interchange has exactly one answer and there is no dead letter.
func TestCrashSIGKILLAnswersEveryInterchangeOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills makod; not with -short")
	}
	n, kills := 300, 3
	if os.Getenv(EnvCrashLong) != "" {
		n, kills = 2000, 10
	}
	p, js := startMakodProc(t)

	// The gateway: every interchange is published until the stream
	// acknowledged it; its message id makes a retry after a lost ack a no-op.
	var wg sync.WaitGroup
	published := make(chan int, n)
	wg.Go(func() {
		for i := range n {
			msg := nats.NewMsg(inbound.Subject("nb"))
			msg.Data = utilmd55001(fmt.Sprintf("CRASH%d", i), fmt.Sprintf("CRASHTX%d", i))
			msg.Header.Set(inbound.HeaderReceivedAt, receivedAt)
			msg.Header.Set(nats.MsgIdHdr, fmt.Sprintf("crash-%d", i))
			if err := publishRetry(js, msg); err != nil {
				t.Errorf("gateway gave up on interchange %d (makod not back?): %v", i, err)
				break
			}
			published <- i
		}
		close(published)
	})

	// The operator with kill -9: at random moments while the interchanges
	// arrive and are worked on.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12))
	done := 0
	for k := range kills {
		// Spread the kills over the publishing, the last one after it.
		target := (k + 1) * n / (kills + 1)
		for done < target {
			if _, ok := <-published; !ok {
				break
			}
			done++
		}
		time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		p.kill()
		p.start(t)
	}
	for range published {
	}
	wg.Wait()

	answers, outbox, letters := waitAnswers(js, n, 90*time.Second)
	lost, duplicated := 0, 0
	for i := range n {
		switch c := answers["CRASHTX"+strconv.Itoa(i)]; {
		case c == 0:
			lost++
		case c > 1:
			duplicated++
		}
	}
	t.Logf("crash test: %d interchanges in, %d kill -9s, %d answered, %d lost, %d duplicated, %d outbox messages, %d dead letters",
		n, kills, len(answers), lost, duplicated, outbox, letters)
	if lost != 0 || duplicated != 0 || outbox != uint64(n) || letters != 0 {
		t.Fatalf("want every interchange answered exactly once and no dead letter")
	}
}

// startMakodProc builds makod, starts it on a fresh data directory and a
// free port, and connects to it as a gateway would (reconnecting across
// restarts). The process is stopped at the end of the test; its log is
// printed when the test failed.
func startMakodProc(t *testing.T) (*makodProc, jetstream.JetStream) {
	t.Helper()
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	listen := l.Addr().String()
	l.Close()
	p := &makodProc{bin: buildMakod(t, dir), data: filepath.Join(dir, "data"), listen: listen, log: filepath.Join(dir, "makod.log")}
	p.start(t)
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			if b, err := os.ReadFile(p.log); err == nil {
				t.Logf("makod log (tail):\n%s", tail(b, 4000))
			}
		}
	})
	nc, err := nats.Connect("nats://"+listen, nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond), nats.RetryOnFailedConnect(true))
	must(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	must(t, err)
	return p, js
}

// waitAnswers reads the answers on mako.outbox.nb.> until n interchanges
// (CRASHTX<i>) are answered or the timeout passed: the answers per
// transaction, the outbox messages and the dead letters.
func waitAnswers(js jetstream.JetStream, n int, timeout time.Duration) (answers map[string]int, outbox, letters uint64) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		answers = map[string]int{}
		outbox, letters = 0, 0
		ctx := context.Background()
		cons, err := js.OrderedConsumer(ctx, "MAKO_OUTBOX", jetstream.OrderedConsumerConfig{FilterSubjects: []string{"mako.outbox.nb.>"}})
		if err != nil {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		for {
			batch, err := cons.Fetch(500, jetstream.FetchMaxWait(300*time.Millisecond))
			if err != nil {
				break
			}
			got := 0
			for m := range batch.Messages() {
				got++
				outbox++
				if mm := answeredDoc.FindSubmatch(m.Data()); mm != nil {
					answers[string(mm[1])]++
				}
			}
			if got == 0 {
				break
			}
		}
		if st, err := js.Stream(ctx, "MAKO_DLQ"); err == nil {
			if info, err := st.Info(ctx); err == nil {
				letters = info.State.Msgs
			}
		}
		if len(answers) == n {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	return answers, outbox, letters
}

// TestGracefulStopUnderLoadLeavesNothingPending stops makod with SIGTERM
// while it works through a backlog and starts it again: the stop exits 0,
// and every interchange is answered once within 45 s after the restart —
// before the consumers' AckWait of 60 s since the last delivery before the
// stop has passed: nothing was left unacknowledged for the server to
// redeliver only when AckWait expires.
func TestGracefulStopUnderLoadLeavesNothingPending(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and stops makod; not with -short")
	}
	const n = 400
	p, js := startMakodProc(t)
	deadline := time.Now().Add(30 * time.Second)
	for { // makod is up when all its streams are (Ensure creates them one by one)
		up := true
		for _, name := range streams.Names() {
			if _, err := js.Stream(context.Background(), name); err != nil {
				up = false
				break
			}
		}
		if up {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("makod did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for i := range n {
		msg := nats.NewMsg(inbound.Subject("nb"))
		msg.Data = utilmd55001(fmt.Sprintf("CRASH%d", i), fmt.Sprintf("CRASHTX%d", i))
		msg.Header.Set(inbound.HeaderReceivedAt, receivedAt)
		if _, err := js.PublishMsgAsync(msg); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(30 * time.Second):
		t.Fatal("publishing did not complete")
	}
	// Stop while the backlog is being worked on.
	deadline = time.Now().Add(30 * time.Second)
	for count(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>") < n/8 {
		if time.Now().After(deadline) {
			t.Fatal("makod does not answer")
		}
		time.Sleep(10 * time.Millisecond)
	}
	p.stop()
	if !p.cmd.ProcessState.Success() {
		t.Fatalf("makod after SIGTERM: %v", p.cmd.ProcessState)
	}
	p.start(t)
	answers, outbox, letters := waitAnswers(js, n, 45*time.Second)
	dup := 0
	for _, c := range answers {
		if c > 1 {
			dup++
		}
	}
	if len(answers) != n || dup != 0 || outbox != n || letters != 0 {
		t.Fatalf("after a graceful stop and restart: %d of %d answered within 45 s, %d duplicated, %d outbox messages, %d dead letters", len(answers), n, dup, outbox, letters)
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
