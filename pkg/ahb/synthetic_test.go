package ahb

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

// syntheticDir is the corpus of ../shared/testdata/edifact-synthetic.
func syntheticDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "testdata", "edifact-synthetic")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared test data missing: %v", err)
		}
		t.Skipf("shared test data not found (%v)", err)
	}
	return dir
}

// TestSyntheticCorpus is the evidence of issue item 5a: every FV2604 file
// of the synthetic corpus is validated against the MIG tree and the AHB.
// The corpus was generated from the MIG/AHB by edifact_mapper with
// placeholder values; it is not AHB-complete: its generator emits one
// instance per segment tag at message level, puts the contact group under the
// last NAD and omits some mandatory groups (MSCONS SG10 QTY, …). The test
// therefore asserts:
//   - no MIG structure finding: every segment is placed in the MIG tree;
//   - every presence finding (missing group/segment/element) is explained by
//     the file itself: no segment with the line's tag and qualifier exists in
//     the file, or every such segment is reported as not foreseen where the
//     generator put it. A missing-finding for content that the file has at
//     a foreseen place would be a false positive of the validator;
//   - all other rejecting findings are value kinds (codes, formats, check
//     digits: the placeholders);
//   - a validation error only for the documented data gaps.
//
// The FV2510 half of the corpus has no AHB data (the source covers FV2604
// and FV2610 only) and is not validated.
func TestSyntheticCorpus(t *testing.T) {
	dir := syntheticDir(t)
	files, _ := filepath.Glob(filepath.Join(dir, "fv2604", "*", "*.edi"))
	if len(files) < 400 {
		t.Fatalf("corpus has %d files, want the ~490 of FV2604", len(files))
	}
	v := fv.MustParse("FV2604")
	kinds := map[Kind]int{}
	omitted, dataGaps := 0, 0
	for _, fn := range files {
		b, err := os.ReadFile(fn)
		if err != nil {
			t.Fatal(err)
		}
		ix, err := edifact.Parse(b)
		if err != nil {
			t.Errorf("%s: parse: %v", fn, err)
			continue
		}
		for i := range ix.Messages {
			m := &ix.Messages[i]
			rep, err := Validate(m, WithFV(v))
			if err != nil {
				if explainedError(m, err) {
					dataGaps++
					t.Logf("%s: data gap: %v", filepath.Base(fn), err)
					continue
				}
				t.Errorf("%s: %v", fn, err)
				continue
			}
			for _, f := range rep.Findings {
				kinds[f.Kind]++
				switch f.Kind {
				case KindMIGStructure:
					t.Errorf("%s: MIG structure: %s (%s)", fn, f.Text, f.Rule)
				case KindMissingGroup, KindMissingSegment:
					if !omittedByCorpus(m, rep, f) {
						t.Errorf("%s: presence finding for content the file has at a foreseen place: %s (%s)", fn, f.Text, f.Rule)
					}
					omitted++
				case KindMissingElement:
					if !m.Segments[f.Segment].Element(f.Element - 1).Component(f.Component - 1).IsEmpty() {
						t.Errorf("%s: missing element that the segment has: %s", fn, f.Text)
					}
					omitted++
				case KindNotForeseen, KindNotAllowed:
					if f.Rejects() {
						t.Errorf("%s: not-foreseen finding rejects: %+v", fn, f)
					}
				default:
					if !f.Kind.IsValue() {
						t.Errorf("%s: unexpected finding kind %s: %s", fn, f.Kind, f.Text)
					}
				}
			}
		}
	}
	t.Logf("%d files; findings by kind: %v; presence findings explained by corpus omissions: %d; data gaps: %d", len(files), kinds, omitted, dataGaps)
}

// explainedError reports the documented data gaps: a PID the FV2604 source
// data lacks (44096, 44097, 44172 are not in its UTILMD Gas tables) and the
// corpus files with a second IDE (IDE+Z01) that opens a transaction without
// RFF+Z13.
func explainedError(m *edifact.Message, err error) bool {
	if errors.Is(err, ErrUnknownPID) {
		return true
	}
	if errors.Is(err, ErrNoPID) {
		n := 0
		for _, s := range m.Segments {
			if s.Tag == "IDE" {
				n++
			}
		}
		return n > 1
	}
	return false
}

// omittedByCorpus reports whether a missing group/segment finding is
// explained by the file: the group instance where the line is missing (the
// finding's Segment opens it) holds no segment with the line's tag and one
// of its qualifiers. The corpus generator attaches every child instance to
// the last instance of its parent group, so the others lack them.
func omittedByCorpus(m *edifact.Message, rep *Report, f Finding) bool {
	spec, err := Load(Key{FV: fv.MustParse(rep.FV), Type: rep.Type, Sector: rep.Sector})
	if err != nil {
		return false
	}
	r := &run{spec: spec, msg: m, rep: &Report{}}
	root := r.segment()
	parent := f.Group
	if f.Kind == KindMissingGroup {
		parent = parent[:max(0, strings.LastIndex(parent, "/"))]
	}
	var in *inst
	var find func(x *inst)
	find = func(x *inst) {
		if x.start == f.Segment && groupPath(x) == parent {
			in = x
		}
		for c := x.child; c != nil; c = c.next {
			find(c)
		}
	}
	find(root)
	if in == nil {
		return false
	}
	quals := strings.Split(f.Qualifier, "|")
	var own []int // a missing segment: the instance's own segments
	for si := in.first; si >= 0; si = int(r.nextSeg[si]) {
		own = append(own, si)
	}
	if f.Kind == KindMissingGroup {
		own = nil // a missing group: the triggers of the instance's child groups
		for c := in.child; c != nil; c = c.next {
			own = append(own, c.start)
		}
	}
	for _, i := range own {
		if s := &m.Segments[i]; s.Tag == f.Tag && segmentHasAny(s, quals) {
			return false
		}
	}
	return true
}

func segmentHasAny(s *edifact.Segment, quals []string) bool {
	if len(quals) == 1 && quals[0] == "" {
		return true
	}
	for _, e := range s.Elements {
		for _, c := range e {
			for _, q := range quals {
				if c.Equal(q) {
					return true
				}
			}
		}
	}
	return false
}
