package edifact

import (
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
)

// TestCheckPIDMatchesCatalog proves the index agrees with catalog.CheckPID.
func TestCheckPIDMatchesCatalog(t *testing.T) {
	pids := []string{"55001", "55999", "44001", "13017", "13999", "21000", "11001", "0001", "5500A", "99999", "55693", "17003"}
	for _, v := range []string{"FV2404", "FV2504", "FV2510", "FV2604", "FV2610"} {
		ver := fv.MustParse(v)
		for _, typ := range catalog.MessageTypes() {
			for _, p := range append(pids, catalog.PIDs(typ, ver)...) {
				for _, s := range []Sector{catalog.SectorUnspecified, catalog.Strom, catalog.Gas} {
					if got, want := checkPID(typ, s, ver, p), catalog.CheckPID(typ, s, ver, p); got != want {
						t.Fatalf("%s %s %v %s: %v, catalog says %v", v, typ, s, p, got, want)
					}
				}
			}
		}
	}
}

func TestIndexesMatchSources(t *testing.T) {
	for tt := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC); tt.Before(time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)); tt = tt.Add(7 * time.Hour) {
		got, gerr := resolveFV(tt)
		want, werr := fv.Resolve(tt)
		if got != want || (gerr == nil) != (werr == nil) {
			t.Fatalf("%v: %v %v, fv.Resolve says %v %v", tt, got, gerr, want, werr)
		}
	}
	for _, v := range []string{"FV2310", "FV2404", "FV2410", "FV2504", "FV2510", "FV2604", "FV2610"} {
		ver := fv.MustParse(v)
		for _, typ := range append(catalog.MessageTypes(), "NOPE") {
			for _, s := range []Sector{catalog.SectorUnspecified, catalog.Strom, catalog.Gas} {
				g, gok := unhVersion(typ, s, ver)
				w, wok := catalog.UNHVersion(typ, s, ver)
				if g != w || gok != wok {
					t.Fatalf("%s %s %v: %q %v, catalog %q %v", v, typ, s, g, gok, w, wok)
				}
			}
		}
	}
}
