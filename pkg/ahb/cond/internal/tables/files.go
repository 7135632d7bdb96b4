package tables

import (
	"os"
	"path/filepath"
)

// EBDFile renders ebdcodes.txt from the data directory root.
func EBDFile(root string) ([]byte, error) {
	js, err := os.ReadFile(filepath.Join(root, "_engine", "daten", "ebd-antwortcodes.js"))
	if err != nil {
		return nil, err
	}
	return RenderEBD(js)
}

// ProductsFile renders products.txt from the data directory root (FV2604
// and FV2610).
func ProductsFile(root string) ([]byte, error) {
	out := []byte(ProductsHeader)
	for _, fv := range []string{"202604", "202610"} {
		js, err := os.ReadFile(filepath.Join(root, fv, "Stammdaten", "UTILMD", "Strom", "pruef-ids", "_produkte-55001.js"))
		if err != nil {
			return nil, err
		}
		b, err := RenderProducts("FV"+fv[2:], js)
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}
