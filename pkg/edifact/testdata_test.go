package edifact

import "github.com/mako-engine/mako/pkg/edifact/edifacttest"

// The worked example of ref §13 (package edifacttest).
const (
	example55001 = edifacttest.UTILMD55001
	example55999 = edifacttest.UTILMD55999
	contrl55999  = edifacttest.CONTRL55999
	aperak313    = edifacttest.APERAK313
)
