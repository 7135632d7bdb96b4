//go:build !unix

package ahb

import (
	"testing"
	"time"
)

func reportCPU(*testing.B, time.Duration) {}

func cpuUsed() time.Duration { return 0 }
