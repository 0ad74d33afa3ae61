package main

// The cost of a system call through Go's scheduler, for harness/bench's BM_Blocking*:
// syscall.Syscall wraps the call in entersyscall/exitsyscall (the P may be retaken by sysmon),
// RawSyscall does not; the difference is what Go's scheduler adds to an empty call.
// Run by scripts/bench_blocking: go test -run '^$' -bench Getpid.

import (
	"syscall"
	"testing"
	_ "unsafe" // go:linkname
)

var pidSink uintptr

func BenchmarkSyscallGetpid(b *testing.B) {
	for i := 0; i < b.N; i++ {
		pid, _, _ := syscall.Syscall(syscall.SYS_GETPID, 0, 0, 0)
		pidSink += pid
	}
}

func BenchmarkRawSyscallGetpid(b *testing.B) {
	for i := 0; i < b.N; i++ {
		pid, _, _ := syscall.RawSyscall(syscall.SYS_GETPID, 0, 0, 0)
		pidSink += pid
	}
}

// Go's entersyscall/exitsyscall pair around nothing, as the syscall package calls it (through
// the same linknames): the counterpart of BM_BlockingEmpty. The body-less declarations need
// an assembly file in the package (empty.s).

//go:linkname entersyscall runtime.entersyscall
func entersyscall()

//go:linkname exitsyscall runtime.exitsyscall
func exitsyscall()

func BenchmarkEmptyEnterExit(b *testing.B) {
	for i := 0; i < b.N; i++ {
		entersyscall()
		exitsyscall()
	}
}
