package edifact

import (
	"testing"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

// WithRecipientSector decides the sector of an interchange whose messages
// name none, by the MP-ID addressed; WithSector wins over it, and where it
// returns nothing the UNB code qualifiers decide.
func TestWithRecipientSector(t *testing.T) {
	// An APERAK between GLNs (qualifier 14): no sector in the messages or the UNB.
	data := []byte("UNA:+.? 'UNB+UNOC:3+4012345000016:14+4012345000009:14+261120:0915+R1'UNH+1+APERAK:D:07B:UN:2.1i'BGM+312+A1'UNT+3+1'UNZ+1+R1'")
	gasFor := func(r string) Sector {
		if r == "4012345000009" {
			return catalog.Gas
		}
		return catalog.SectorUnspecified
	}
	for _, tc := range []struct {
		name string
		opts []CheckOption
		want Sector
	}{
		{"none", nil, catalog.SectorUnspecified},
		{"by recipient", []CheckOption{WithRecipientSector(gasFor)}, catalog.Gas},
		{"WithSector wins", []CheckOption{WithRecipientSector(gasFor), WithSector(catalog.Strom)}, catalog.Strom},
		{"unknown recipient", []CheckOption{WithRecipientSector(func(string) Sector { return catalog.SectorUnspecified })}, catalog.SectorUnspecified},
	} {
		_, rep, err := Analyze(data, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Sector != tc.want {
			t.Errorf("%s: sector %v, want %v", tc.name, rep.Sector, tc.want)
		}
	}
}
