package main

import (
	"context"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestProjectorRebuildCLI(t *testing.T) {
	_, natsURL, id := readAPIFixture(t)
	nc, err := nats.Connect(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	before, err := readmodel.Dump(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli("projector", "rebuild", "--nats-url", natsURL, "--modules", "testflow", "--log-level", "error")
	if code != 0 || !strings.Contains(out, "1 processes") || !strings.Contains(out, "1 dead letters") {
		t.Fatalf("rebuild: %d %q %q", code, out, errs)
	}
	after, err := readmodel.Dump(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	key := readmodel.ProcessKey("nb", id)
	if string(after[readmodel.BucketProcesses][key]) != string(before[readmodel.BucketProcesses][key]) || len(after[readmodel.BucketKeys]) != len(before[readmodel.BucketKeys]) {
		t.Fatalf("rebuild changed the read model:\n%s\n%s", before[readmodel.BucketProcesses][key], after[readmodel.BucketProcesses][key])
	}
	if code, _, _ = cli("projector", "rebuild", "extra"); code != 2 {
		t.Fatalf("positional: %d", code)
	}
	if code, _, _ = cli("projector"); code != 2 {
		t.Fatalf("no subcommand: %d", code)
	}
}
