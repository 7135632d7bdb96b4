//go:build !unix

package edifact

import "time"

// processCPU is not available on this platform; CPU metrics report 0.
func processCPU() time.Duration { return 0 }
