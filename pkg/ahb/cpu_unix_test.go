//go:build unix

package ahb

import (
	"syscall"
	"testing"
	"time"
)

// reportCPU adds the process CPU time per op ("cpu-ns/op") since start: on a
// host shared with other work the wall time per op is inflated, CPU time is not.
func reportCPU(b *testing.B, start time.Duration) {
	if used := cpuUsed() - start; used > 0 && b.N > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func cpuUsed() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
