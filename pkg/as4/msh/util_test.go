package msh_test

import "github.com/beevik/etree"

func parseDoc(b []byte) (*etree.Document, error) {
	d := etree.NewDocument()
	if err := d.ReadFromBytes(b); err != nil {
		return nil, err
	}
	return d, nil
}
