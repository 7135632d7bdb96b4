// Command ahbgen converts the shared AHB/MIG data (shared/ahb-data, see its
// README) into the project-owned format of pkg/ahb/model, one file per format
// version, message type and sector, written to pkg/ahb/data. It runs from
// `go generate ./pkg/ahb`; its output is committed and embedded.
//
// Sources (read as data, never executed):
//   - edifactgenerator-bca06f9/<FV>/…/pruef-ids/_form-meta.js: the AHB lines
//     per PID; _bedingungen.js: condition texts; _format.js: UNH version;
//     _engine/daten/mig-formate.js: MIG data-element formats;
//   - edifact-mapper-9270e80/fv2604/<type>/pids/*.json: the segment-group tree
//     and the data-element positions (FV2604).
//
// APERAK and CONTRL are not converted: their rules are written by hand from
// the AHB text (handwritten.go), as the source's APERAK data is unusable.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/mako-engine/mako/pkg/ahb/model"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	fvpkg "github.com/mako-engine/mako/pkg/fv"
)

const (
	generatorDir = "edifactgenerator-bca06f9"
	mapperDir    = "edifact-mapper-9270e80"
)

func main() {
	src := flag.String("src", "../../../shared/ahb-data", "directory of the shared AHB data")
	out := flag.String("out", "data", "output directory")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "ahbgen:", err)
		os.Exit(1)
	}
}

// fvDirs maps the source's FV directories to the short FV names.
var fvDirs = []struct{ dir, fv string }{{"202604", "FV2604"}, {"202610", "FV2610"}}

func run(src, out string) error {
	formats, err := loadMIGFormats(filepath.Join(src, generatorDir, "_engine", "daten", "mig-formate.js"))
	if err != nil {
		return err
	}
	mapper := map[string]*mapperType{}
	for _, fd := range fvDirs {
		root := filepath.Join(src, generatorDir, fd.dir)
		metas, err := filepath.Glob(filepath.Join(root, "*", "*", "pruef-ids", "_form-meta.js"))
		if err != nil {
			return err
		}
		utilmd, _ := filepath.Glob(filepath.Join(root, "*", "*", "*", "pruef-ids", "_form-meta.js"))
		metas = append(metas, utilmd...)
		sort.Strings(metas)
		if err := os.MkdirAll(filepath.Join(out, fd.fv), 0o755); err != nil {
			return err
		}
		for _, meta := range metas {
			dir := filepath.Dir(filepath.Dir(meta))
			typ, sector := filepath.Base(dir), ""
			if typ == "Strom" || typ == "Gas" {
				typ, sector = filepath.Base(filepath.Dir(dir)), typ
			}
			if typ == "APERAK" || typ == "CONTRL" {
				continue // hand-written, see handwritten.go
			}
			mt, ok := mapper[mapperKey(typ, sector)]
			if !ok {
				mt, err = loadMapper(filepath.Join(src, mapperDir, "fv2604", strings.ToLower(typ), "pids"), sector)
				if err != nil {
					return err
				}
				mapper[mapperKey(typ, sector)] = mt
			}
			rel, _ := filepath.Rel(src, meta)
			f, err := convert(meta, rel, fd.fv, typ, sector, mt, formats[fd.dir][formatKey(typ, sector)])
			if err != nil {
				return err
			}
			if err := write(filepath.Join(out, fd.fv, fileName(typ, sector)), f); err != nil {
				return err
			}
		}
		for _, f := range handwritten(fd.fv) {
			if err := write(filepath.Join(out, fd.fv, fileName(f.Type, "")), f); err != nil {
				return err
			}
		}
	}
	return nil
}

func mapperKey(typ, sector string) string { return typ + "/" + sector }

func formatKey(typ, sector string) string {
	if sector != "" {
		return typ + "_" + strings.ToUpper(sector)
	}
	return typ
}

// fileName is the data file name of a message type and sector, e.g.
// "UTILMD-Strom.json".
func fileName(typ, sector string) string {
	if sector != "" {
		return typ + "-" + sector + ".json"
	}
	return typ + ".json"
}

func write(path string, f *model.File) error {
	fillQualifiers(f)
	var buf bytes.Buffer
	if err := model.Encode(&buf, f); err != nil {
		return err
	}
	if _, err := model.Decode(buf.Bytes()); err != nil { // self-check
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// --- source: form meta -------------------------------------------------------

type srcPID struct {
	Beschreibung string        `json:"beschreibung"`
	Instanzen    []srcInstance `json:"instanzen"`
}

type srcInstance struct {
	SG      *string `json:"sg"`
	Seg     string  `json:"seg"`
	Expr    string  `json:"expr"`
	Section string  `json:"section"`
	SGExpr  *string `json:"sgExpr"`
	DEs     []struct {
		DE    string  `json:"de"`
		Name  string  `json:"name"`
		Expr  string  `json:"expr"`
		Codes [][]any `json:"codes"`
		Pos   *int    `json:"pos"`
		Sub   *int    `json:"sub"`
	} `json:"des"`
}

var reUNH = regexp.MustCompile(`unhKennung:\s*'[^']*:([^':]+)'`)

func convert(meta, rel, fv, typ, sector string, mt *mapperType, formats map[string]string) (*model.File, error) {
	var src map[string]srcPID
	if err := jsLiteral(meta, "formMeta", &src); err != nil {
		if err2 := jsLiteral(meta, strings.ToLower(typ)+"FormMeta", &src); err2 != nil {
			return nil, err
		}
	}
	f := &model.File{FV: fv, Type: typ, Sector: sector, Sources: []string{rel}}
	dir := filepath.Dir(meta)
	if b, err := os.ReadFile(filepath.Join(dir, "_format.js")); err == nil {
		if m := reUNH.FindSubmatch(b); m != nil {
			f.Version = string(m[1])
			f.Sources = append(f.Sources, filepath.Join(filepath.Dir(rel), "_format.js"))
		}
	}
	if f.Version == "" {
		sec := catalog.SectorUnspecified
		if v, ok := catalog.UNHVersion(typ, sec, fvpkg.MustParse(fv)); ok {
			f.Version = v
			f.Sources = append(f.Sources, "pkg/edifact/catalog (UNH 0057 per type and FV, edifact.md §7.2)")
		}
	}
	var texts map[string]string
	if err := jsLiteral(filepath.Join(dir, "_bedingungen.js"), "bedingungTexte", &texts); err == nil {
		f.Conditions = texts
		f.Sources = append(f.Sources, filepath.Join(filepath.Dir(rel), "_bedingungen.js"))
	}
	f.Sources = append(f.Sources, generatorDir+"/_engine/daten/mig-formate.js", mapperDir+"/fv2604/"+strings.ToLower(typ)+"/pids")

	statusFixes, splitRows := 0, 0
	fixStatus := func(expr string) string {
		// data elements and codes carry the status X; the source's table
		// extraction dropped it where the cell starts with a condition
		if strings.HasPrefix(expr, "[") {
			statusFixes++
			return "X " + expr
		}
		return expr
	}
	ids := make([]string, 0, len(src))
	for id := range src {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	layouts := mt.layouts(formats)
	for _, id := range ids {
		p := src[id]
		if sector == "Strom" && strings.HasPrefix(id, "44") || sector == "Gas" && strings.HasPrefix(id, "55") {
			continue
		}
		pid := model.PID{ID: id, Name: clean(p.Beschreibung)}
		for _, in := range p.Instanzen {
			l := model.Line{Seg: in.Seg, Expr: clean(in.Expr), Section: clean(in.Section)}
			if in.SG != nil {
				l.Group = *in.SG
			}
			if in.SGExpr != nil {
				l.GroupExpr = clean(*in.SGExpr)
			}
			for _, d := range in.DEs {
				e := model.LineElement{ID: d.DE, Pos: -1, Sub: -1, Expr: fixStatus(clean(d.Expr)), Name: clean(d.Name)}
				if d.Pos != nil {
					e.Pos, e.Sub = *d.Pos, 0
					if d.Sub != nil {
						e.Sub = *d.Sub
					}
				}
				for _, c := range d.Codes {
					if len(c) == 0 {
						continue
					}
					v, _ := c[0].(string)
					x := ""
					if len(c) > 2 {
						x, _ = c[2].(string)
					}
					e.Codes = append(e.Codes, [2]string{v, fixStatus(clean(x))})
				}
				l.Elements = append(l.Elements, e)
			}
			placeElements(&l, layouts)
			if n := len(pid.Lines); n > 0 && continues(&pid.Lines[n-1], &l) {
				mergeSplitRow(&pid.Lines[n-1], &l)
				splitRows++
				continue
			}
			pid.Lines = append(pid.Lines, l)
		}
		f.PIDs = append(f.PIDs, pid)
	}
	f.MIG, f.Repairs = deriveMIG(f, mt, fv == "FV2604")
	if dropped := dropAmbiguousFormats(f.PIDs, layouts); len(dropped) > 0 {
		f.Repairs = append(f.Repairs, "MIG formats: the source gives one format per segment tag and data element for all uses of the tag; for tags used in several roles (qualifiers) only variable-length an.. formats are kept, these strict ones are dropped: "+strings.Join(dropped, ", "))
	}
	if splitRows > 0 {
		f.Repairs = append(f.Repairs, fmt.Sprintf("split rows: %d AHB rows that the extraction split in two (same group, segment and name; the second row's expression continues the first one's) merged into one line", splitRows))
	}
	if statusFixes > 0 {
		f.Repairs = append(f.Repairs, fmt.Sprintf("status word: %d data-element or code expressions began with a condition (the extraction dropped the status); \"X\" prepended, the status of every data element and code in the AHB", statusFixes))
	}
	f.MIG.Segments = layouts
	f.Repairs = append(f.Repairs,
		"data-element positions: taken from the FV2604 per-PID schemas of "+mapperDir+" (UN D.11A segment layouts); a data element id that occurs several times in a segment gets a position only where the line lists exactly as many occurrences as the layout (else -1, not checked)")
	return f, nil
}

// clean normalises the whitespace of a source text (the AHB extraction keeps
// the line breaks of the table cells).
func clean(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.Join(strings.Fields(s), " ")
}

// placeElements fills the positions of the line's data elements from the
// segment layout where the source gave none.
func placeElements(l *model.Line, layouts []model.Layout) {
	var lay *model.Layout
	for i := range layouts {
		if layouts[i].Tag == l.Seg {
			lay = &layouts[i]
		}
	}
	if lay == nil {
		return
	}
	inLine := map[string]int{}
	for _, e := range l.Elements {
		inLine[e.ID]++
	}
	seen := map[string]int{}
	for i := range l.Elements {
		e := &l.Elements[i]
		k := seen[e.ID]
		seen[e.ID]++
		if e.Pos >= 0 {
			continue
		}
		var occ []model.Element
		for _, le := range lay.Elements {
			if le.ID == e.ID {
				occ = append(occ, le)
			}
		}
		if len(occ) == 1 || (len(occ) > 1 && len(occ) == inLine[e.ID]) {
			idx := 0
			if len(occ) > 1 {
				idx = k
			}
			e.Pos, e.Sub = occ[idx].Pos, occ[idx].Sub
		}
	}
}

// loadMIGFormats reads mig-formate.js: FV dir → type key → "SEG DE" → format.
func loadMIGFormats(path string) (map[string]map[string]map[string]string, error) {
	var src map[string]map[string]struct {
		Felder map[string]struct {
			Fmt *string `json:"fmt"`
		} `json:"felder"`
	}
	if err := jsLiteral(path, "migFormate", &src); err != nil {
		return nil, err
	}
	out := map[string]map[string]map[string]string{}
	for fv, types := range src {
		out[fv] = map[string]map[string]string{}
		for t, v := range types {
			m := map[string]string{}
			for k, fd := range v.Felder {
				if fd.Fmt != nil && *fd.Fmt != "" {
					m[k] = *fd.Fmt
				}
			}
			out[fv][t] = m
		}
	}
	return out, nil
}

var reStatus = regexp.MustCompile(`^(Muss|Soll|Kann|M|S|K|X|O|U)(\s|\[|$)`)

// continues reports whether line next is the second half of an AHB row the
// extraction split in two: same group, segment and name, and an expression
// that does not start with a status word (it continues the first half's).
func continues(prev, next *model.Line) bool {
	if prev.Group != next.Group || prev.Seg != next.Seg || prev.Section != next.Section {
		return false
	}
	cont := func(e string) bool { return e != "" && !reStatus.MatchString(e) }
	return cont(next.Expr) || cont(next.GroupExpr)
}

// mergeSplitRow joins the second half of a split row into the first.
func mergeSplitRow(prev, next *model.Line) {
	join := func(a, b string) string {
		switch {
		case b == "":
			return a
		case a == "" || reStatus.MatchString(b):
			return b
		}
		return a + " " + b
	}
	prev.Expr = join(prev.Expr, next.Expr)
	prev.GroupExpr = join(prev.GroupExpr, next.GroupExpr)
	prev.Elements = append(prev.Elements, next.Elements...)
}

// dropAmbiguousFormats removes numeric, alphabetic and fixed-length formats
// of segment tags that the AHB lines use with more than one qualifier: the
// source's formats are per tag and data element, so a strict format of one
// role (RFF+Z13 1154 n5) would misjudge the others (RFF+Z10 1154 an..35).
// It returns the dropped "TAG DE fmt" entries.
func dropAmbiguousFormats(pids []model.PID, layouts []model.Layout) []string {
	roles := map[string]map[string]bool{}
	for _, p := range pids {
		for _, l := range p.Lines {
			if len(l.Elements) == 0 || len(l.Elements[0].Codes) == 0 {
				continue
			}
			if roles[l.Seg] == nil {
				roles[l.Seg] = map[string]bool{}
			}
			for _, c := range l.Elements[0].Codes {
				roles[l.Seg][c[0]] = true
			}
		}
	}
	var dropped []string
	for i := range layouts {
		if len(roles[layouts[i].Tag]) < 2 {
			continue
		}
		for j := range layouts[i].Elements {
			e := &layouts[i].Elements[j]
			if e.Format != "" && !strings.HasPrefix(e.Format, "an..") {
				dropped = append(dropped, layouts[i].Tag+" "+e.ID+" "+e.Format)
				e.Format = ""
			}
		}
	}
	return dropped
}
