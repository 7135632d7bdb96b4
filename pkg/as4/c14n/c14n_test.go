package c14n

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/beevik/etree"

	"github.com/mako-engine/mako/pkg/as4/internal/astest"
	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
)

func parse(t *testing.T, b []byte) *etree.Document {
	t.Helper()
	doc, err := x.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func mustC14N(t *testing.T, el *etree.Element, opts ...Option) string {
	t.Helper()
	out, err := Canonicalize(el, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// The examples of the Exclusive C14N recommendation §2.2 and C14N 1.0 §3 that apply to subtrees.
func TestSpecExamples(t *testing.T) {
	// exc-c14n §2.2: the apex element of a subset does not drag in unused ancestor namespaces.
	doc := parse(t, []byte(`<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>`))
	elem2 := doc.Root().ChildElements()[0]
	if got, want := mustC14N(t, elem2), `<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>`; got != want {
		t.Errorf("exc-c14n:\n got %s\nwant %s", got, want)
	}
	// With n0 in the PrefixList, n0 is rendered although not utilized (inclusive behaviour).
	if got, want := mustC14N(t, elem2, WithInclusivePrefixes("n0")), `<n1:elem2 xmlns:n0="foo:bar" xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>`; got != want {
		t.Errorf("PrefixList n0:\n got %s\nwant %s", got, want)
	}
	// Attribute ordering, escaping, empty-element expansion, default namespace undeclaration.
	doc = parse(t, []byte("<a xmlns=\"urn:a\" xmlns:z=\"urn:z\" b=\"2\" z:c=\"&amp;&lt;&quot;\" a=\"1\"><b xmlns=\"\">x &gt; y &amp; \r</b><c z:d=\"\"/></a>"))
	if got, want := mustC14N(t, doc.Root()), "<a xmlns=\"urn:a\" xmlns:z=\"urn:z\" a=\"1\" b=\"2\" z:c=\"&amp;&lt;&quot;\"><b xmlns=\"\">x &gt; y &amp; \n</b><c z:d=\"\"></c></a>"; got != want {
		t.Errorf("ordering:\n got %s\nwant %s", got, want)
	}
}

func TestMalformed(t *testing.T) {
	for _, s := range []string{
		`<a p:x="1"/>`,
		`<p:a/>`,
		`<a x="1" x="2"/>`,
		`<a xmlns:p="urn:p" xmlns:q="urn:p" p:x="1" q:x="2"/>`,
	} {
		doc := parse(t, []byte(s))
		if _, err := Canonicalize(doc.Root()); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", s, err)
		}
	}
}

// TestPhase4ReceiptDigests recomputes the DigestValues phase4 put into the signed receipt
// TestReceipt12.xml: the eb:Messaging header with PrefixList "S12" and the empty Body.
func TestPhase4ReceiptDigests(t *testing.T) {
	checkSignedInfoDigests(t, filepath.Join(astest.SharedPath(t, "testdata/as4-phase4"), "TestReceipt12.xml"), 2)
}

// TestPhase4WrongAlgorithmDigests does the same for the signed UserMessage WrongSigningAlgorithm.xml
// (its signature algorithm is the wrong one for the profile, its digests are still exc-c14n).
func TestPhase4WrongAlgorithmDigests(t *testing.T) {
	checkSignedInfoDigests(t, filepath.Join(astest.SharedPath(t, "testdata/as4-phase4"), "WrongSigningAlgorithm.xml"), 1)
}

func checkSignedInfoDigests(t *testing.T, path string, minRefs int) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := parse(t, raw)
	ids := map[string]*etree.Element{}
	var walk func(e *etree.Element)
	walk = func(e *etree.Element) {
		for _, a := range e.Attr {
			if a.Key == "Id" || a.Key == "id" {
				ids[a.Value] = e
			}
		}
		for _, c := range e.ChildElements() {
			walk(c)
		}
	}
	walk(doc.Root())
	si := doc.FindElement("//Signature/SignedInfo")
	if si == nil {
		t.Fatal("no SignedInfo")
	}
	checked := 0
	for _, ref := range si.SelectElements("Reference") {
		uri := ref.SelectAttrValue("URI", "")
		if !strings.HasPrefix(uri, "#") {
			continue
		}
		target := ids[uri[1:]]
		if target == nil {
			t.Fatalf("reference %s: no element", uri)
		}
		var opts []Option
		for _, tr := range ref.FindElements("Transforms/Transform") {
			if tr.SelectAttrValue("Algorithm", "") != Algorithm {
				t.Fatalf("unexpected transform %s", tr.SelectAttrValue("Algorithm", ""))
			}
			if in := tr.SelectElement("InclusiveNamespaces"); in != nil {
				opts = append(opts, WithInclusivePrefixes(ParsePrefixList(in.SelectAttrValue("PrefixList", ""))...))
			}
		}
		out := mustC14N(t, target, opts...)
		sum := sha256.Sum256([]byte(out))
		want := strings.TrimSpace(ref.SelectElement("DigestValue").Text())
		if got := base64.StdEncoding.EncodeToString(sum[:]); got != want {
			t.Errorf("reference %s: digest %s, want %s\ncanonical form:\n%s", uri, got, want, out)
		}
		checked++
	}
	if checked < minRefs {
		t.Fatalf("only %d same-document references checked", checked)
	}
}

// TestAgainstXmllint canonicalizes whole documents (with comments) and compares with
// libxml2's `xmllint --exc-c14n`, an independent implementation.
func TestAgainstXmllint(t *testing.T) {
	astest.RequireTool(t, "xmllint")
	dir := astest.SharedPath(t, "testdata/as4-phase4")
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	files = append(files, filepath.Join(astest.SharedPath(t, "testdata/xmlenc11-ecdh-es"), "cipherText__EC-P256__aes128-gcm__kw-aes128__ECDH-ES__ConcatKDF.tmpl"))
	// Attribute values with literal line breaks and tabs (normalized to spaces) next to character
	// references (kept), CDATA, comments and a processing instruction.
	own := filepath.Join(t.TempDir(), "attributes.xml")
	if err := os.WriteFile(own, []byte("<?xml version=\"1.0\"?>\n<!-- c1 -->\n<r xmlns:p=\"urn:p\" a=\"x\r\ny\tz\" b='q&#10;r&#9;s' p:c=\"1 > 0\">\n<![CDATA[ a=\"\n\" <x> ]]><?pi some\n data?><e\n  f=\"&quot;\n\"\n/>text\r\nmore</r>\n<!-- c2 -->"), 0o600); err != nil {
		t.Fatal(err)
	}
	files = append(files, own)
	if len(files) < 5 {
		t.Fatalf("only %d sample files", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := exec.Command("xmllint", "--exc-c14n", f).Output()
			if err != nil {
				t.Skipf("xmllint refuses %s: %v", f, err)
			}
			got, err := Document(parse(t, raw), WithComments())
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("differs from xmllint:\n got %s\nwant %s", got, want)
			}
		})
	}
}

func BenchmarkCanonicalizeReceipt(b *testing.B) {
	raw := astest.SharedFile(b, "testdata/as4-phase4/TestReceipt12.xml")
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Canonicalize(doc.Root()); err != nil {
			b.Fatal(err)
		}
	}
}
