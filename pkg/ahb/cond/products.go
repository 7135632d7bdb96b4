package cond

import (
	_ "embed" // products.txt

	"github.com/mako-engine/mako/pkg/fv"
)

// productCodes is the configuration code list chapter 6.1 (see its header
// and internal/tablegen).
//
//go:embed products.txt
var productCodes string

// productTable maps a product code of chapter 6.1 to its property codes.
type productTable map[string]map[string]bool

// loadProducts reads the chapter 6.1 products of one format version.
func loadProducts(v fv.Version) productTable {
	t := productTable{}
	tableRows(productCodes, v.String()+" 6.1 ", func(f []string) {
		props := make(map[string]bool, len(f)-1)
		for _, p := range f[1:] {
			props[p] = true
		}
		t[f[0]] = props
	})
	return t
}

// productOfSG8 returns the product code of the PIA+5 in the line's SG8
// (which must be a SEQ+Z79 group); ok is false without an SG8 in the Scope.
func (sc *Scope) productOfSG8() (code []byte, isZ79, ok bool) {
	sp, ok := sc.within("SG8")
	if !ok {
		return nil, false, false
	}
	segs := sc.segs(sp)
	if len(segs) == 0 || !segs[0].Is("SEQ", "Z79") {
		return nil, false, true
	}
	for i := range segs {
		if segs[i].Is("PIA", "5") {
			return segs[i].Element(1).Component(0).Raw(), true, true
		}
	}
	return nil, true, true
}

// knownProduct: [292] "Es sind nur die Produkt-Codes erlaubt, die in der
// Codeliste der Konfigurationen im Kapitel 6.1 … in der Spalte 'Anmeldung
// einer Zuordnung des LFN (UTILMD)' mit dem entsprechenden
// Prüfidentifikator des Anwendungsfalls …" (PIA DE7140). The shared table
// is the one of PID 55001; it decides 55001 and its answers 55002/55003,
// every other PID (55077, 55080, …) is Unknown.
func knownProduct(t productTable) Predicate {
	return func(sc *Scope) Tri {
		switch sc.PID {
		case "55001", "55002", "55003":
			_, ok := t[sc.Value]
			return TriOf(ok)
		}
		return Unknown
	}
}

// productHasProperties: [36] "Wenn in derselben SG8 SEQ+Z79 im PIA+5 DE7140
// ein Produkt-Code genannt ist, der in der Codeliste … in der Spalte 'Code
// der Produkteigenschaft (Wertebereich)' mit einem Code befüllt ist".
func productHasProperties(t productTable) Predicate {
	return func(sc *Scope) Tri {
		code, isZ79, ok := sc.productOfSG8()
		if !ok {
			return Unknown
		}
		if !isZ79 || code == nil {
			return False
		}
		props, known := t[string(code)]
		if !known {
			return Unknown
		}
		return TriOf(len(props) > 0)
	}
}

// propertyOfProduct: [38] "Es sind nur die Code der Produkteigenschaft zu
// dem in derselben SG8 SEQ+Z79 im PIA+5 DE7140 erlaubt, die … in derselben
// Zeile wie der Produkt-Code stehen" (CAV+ZH9 DE7110).
func propertyOfProduct(t productTable) Predicate {
	return func(sc *Scope) Tri {
		code, isZ79, ok := sc.productOfSG8()
		if !ok || !isZ79 || code == nil {
			return Unknown
		}
		props, known := t[string(code)]
		if !known {
			return Unknown
		}
		return TriOf(props[sc.Value])
	}
}
