package c14n

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/mako-engine/mako/pkg/as4/internal/astest"
	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
)

// FuzzIdempotent: the canonical form of a document is itself canonical (canonicalizing it again
// changes nothing), for every subtree; and no input makes the canonicalizer panic.
func FuzzIdempotent(f *testing.F) {
	f.Add([]byte(`<a xmlns="urn:a" xmlns:p="urn:p" p:x="1&#10;2" b='"'><p:b xmlns="">t&amp;&#13;</p:b><!--c--><?pi x?></a>`))
	f.Add([]byte(`<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>`))
	f.Fuzz(func(t *testing.T, in []byte) {
		doc, err := x.Parse(in)
		if err != nil {
			return
		}
		for _, el := range doc.FindElements("//*") {
			for _, opts := range [][]Option{nil, {WithComments()}, {WithInclusivePrefixes("#default", "p")}} {
				c1, err := Canonicalize(el, opts...)
				if err != nil {
					continue
				}
				d2, err := x.Parse(c1)
				if err != nil {
					t.Fatalf("canonical form does not parse: %v\n%s", err, c1)
				}
				c2, err := Canonicalize(d2.Root(), opts...)
				if err != nil || !bytes.Equal(c1, c2) {
					t.Fatalf("not idempotent (%v):\n%s\n%s", err, c1, c2)
				}
			}
		}
	})
}

// TestFuzzSeedsFromSamples runs the idempotence property over the phase4 samples.
func TestFuzzSeedsFromSamples(t *testing.T) {
	dir := astest.SharedPath(t, "testdata/as4-phase4")
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	for _, p := range files {
		b, _ := os.ReadFile(p)
		doc, err := x.Parse(b)
		if err != nil {
			continue
		}
		for _, el := range doc.FindElements("//*") {
			c1, err := Canonicalize(el)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			d2, err := x.Parse(c1)
			if err != nil {
				t.Fatal(err)
			}
			if c2, _ := Canonicalize(d2.Root()); !bytes.Equal(c1, c2) {
				t.Fatalf("%s <%s>: not idempotent:\n%s\n%s", filepath.Base(p), el.Tag, c1, c2)
			}
		}
	}
}
