// Empty: lets syscall_bench_test.go declare the runtime functions it links to by name.
