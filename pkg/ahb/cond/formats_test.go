package cond

import (
	"testing"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

// TestParse303 checks the allocation-free 303 reader against
// catalog.ParseDTM.
func TestParse303(t *testing.T) {
	for _, v := range []string{
		"202610010800+00", "202602290000+00", "202802290000+00", "202604310000+00", "202613010000+00",
		"202610012400+00", "202610010860+00", "202610010800+01", "202610010800-00", "20261001080+00",
		"2026100108000+0", "2026a0010800+00", "", "202610010800",
	} {
		got, ok := parse303(v)
		d, err := catalog.ParseDTM(v, catalog.DTMFormat303)
		want := err == nil && d.OffsetHours == 0 && v[len(v)-3:] == "+00"
		if ok != want || ok && !got.Equal(d.Start) {
			t.Errorf("parse303(%q) = %v, %v; ParseDTM: %v, %v", v, got, ok, d.Start, err)
		}
	}
}
