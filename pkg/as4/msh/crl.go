package msh

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mako-engine/mako/pkg/as4/smpki"
)

// LoadCRLDir adds every CRL in dir (files *.crl, DER or PEM "X509 CRL") to store, each verified
// against the CA among issuers that signed it. A file that is no valid CRL of a known CA is an
// error (named); the other files are still loaded.
func LoadCRLDir(store *smpki.CRLStore, dir string, issuers []*smpki.Certificate, now time.Time) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.crl"))
	if err != nil {
		return err
	}
	var errs []error
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if blk, _ := pem.Decode(b); blk != nil {
			b = blk.Bytes
		}
		added := false
		var last error
		for _, is := range issuers {
			if _, err := store.Add(b, is, now); err == nil {
				added = true
				break
			} else {
				last = err
			}
		}
		if !added {
			errs = append(errs, fmt.Errorf("%s: no configured CA verifies it: %w", f, last))
		}
	}
	return errors.Join(errs...)
}
