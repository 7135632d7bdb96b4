package msh_test

import (
	"time"

	"github.com/beevik/etree"

	"github.com/mako-engine/mako/pkg/as4/smpki/smpkitest"
	"github.com/mako-engine/mako/pkg/engine"
)

func parseDoc(b []byte) (*etree.Document, error) {
	d := etree.NewDocument()
	if err := d.ReadFromBytes(b); err != nil {
		return nil, err
	}
	return d, nil
}

func newPKI(now time.Time) (*smpkitest.PKI, error) { return smpkitest.NewPKI(now.AddDate(-1, 0, 0)) }

func ingestTenant(s string) engine.TenantID { return engine.TenantID(s) }
