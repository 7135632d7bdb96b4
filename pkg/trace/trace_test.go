package trace

import "testing"

func TestParseAndChild(t *testing.T) {
	const h = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	p, err := Parse(h)
	if err != nil || p.String() != h {
		t.Fatalf("%v %v", p, err)
	}
	c := p.Child()
	if c.TraceID != p.TraceID || c.SpanID == p.SpanID || c.Flags != "01" {
		t.Fatalf("child %v", c)
	}
	if TraceID(ContinueOrStart(h).String()) != p.TraceID {
		t.Fatal("trace id not continued")
	}
	for _, bad := range []string{"", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-4bf92f35-00f067aa0ba902b7-01"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	n := New()
	if _, err := Parse(n.String()); err != nil {
		t.Fatalf("new trace invalid: %v", err)
	}
	if New().TraceID == n.TraceID {
		t.Fatal("trace ids repeat")
	}
}
