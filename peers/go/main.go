// schedlab-go: schedlab's workloads written in Go, run by Go's own scheduler, printing
// schedlab's CSV columns so that `schedlab run --runtime go` can set them beside its policies.
//
//	schedlab-go list
//	schedlab-go run --workload W [--params 'k=v;k=v'] [--procs P] [--reps N] [--warmup K] [--seed S]
//
// Exit status: 0 when every repetition ran (a wrong answer is a row with result_ok=0), 2 for
// bad input (one line on stderr starting "schedlab-go: "), 1 when a run crashed.
//
// Go exits with status 2 on an unrecovered panic or a fatal runtime error, which would read as
// bad input. So the process that checked the arguments runs the workload in a child process
// (itself again, marked by an environment variable) and turns any failure of the child into 1.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

const childEnv = "SCHEDLAB_GO_CHILD"

const usage = "usage: schedlab-go list | schedlab-go run --workload W [--params 'k=v;k=v'] " +
	"[--procs P] [--reps N] [--warmup K] [--seed S]"

// maxProcs is schedlab's upper bound on --procs.
const maxProcs = 1024

// usageError is bad input: reported on one line, exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...interface{}) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// runOptions is one `run` command, checked.
type runOptions struct {
	workload    *workloadInfo
	given, full params
	procs       int
	reps        int
	warmup      int
	seed        uint64
}

func main() {
	err := dispatch(os.Args[1:])
	if err == nil {
		return
	}
	fmt.Fprintf(os.Stderr, "schedlab-go: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
	var ue *usageError
	if errors.As(err, &ue) || isParamError(err) {
		os.Exit(2)
	}
	os.Exit(1)
}

func dispatch(args []string) error {
	if len(args) == 0 {
		return usagef("no command (%s)", usage)
	}
	switch args[0] {
	case "list":
		if len(args) > 1 {
			return usagef("list takes no arguments")
		}
		for _, w := range workloads {
			fmt.Println(w.name)
		}
		return nil
	case "run":
		child := os.Getenv(childEnv) == "1"
		o, err := parseRun(args[1:], !child)
		if err != nil {
			return err
		}
		if child {
			return runReps(o, os.Stdout)
		}
		return superviseChild()
	case "-h", "--help", "help":
		fmt.Println(usage)
		return nil
	}
	msg := fmt.Sprintf("unknown command '%s'", args[0])
	if hint := didYouMean(args[0], []string{"list", "run"}); hint != "" {
		msg += fmt.Sprintf(" (did you mean '%s'?)", hint)
	}
	return &usageError{msg}
}

// parseRun reads --opt value and --opt=value and checks every value and parameter; with
// validate, it builds the workload once, as schedlab validates before it runs anything (the
// child skips that: its first repetition's build would find the same error).
func parseRun(args []string, validate bool) (*runOptions, error) {
	values := map[string]string{}
	known := []string{"--workload", "--params", "--procs", "--reps", "--warmup", "--seed"}
	for i := 0; i < len(args); i++ {
		name, value, inline := strings.Cut(args[i], "=")
		if indexOf(known, name) < 0 {
			msg := fmt.Sprintf("unrecognised option '%s'", name)
			if hint := didYouMean(name, known); hint != "" {
				msg += fmt.Sprintf(" (did you mean '%s'?)", hint)
			}
			return nil, &usageError{msg}
		}
		if !inline {
			if i+1 >= len(args) {
				return nil, usagef("option %s needs a value", name)
			}
			i++
			value = args[i]
		}
		if _, dup := values[name]; dup {
			return nil, usagef("option %s given twice", name)
		}
		values[name] = value
	}
	o := &runOptions{procs: 1, reps: 5, warmup: 1, seed: 1}
	name, ok := values["--workload"]
	if !ok {
		return nil, usagef("--workload is required")
	}
	if o.workload = findWorkload(name); o.workload == nil {
		names := make([]string, len(workloads))
		for i, w := range workloads {
			names[i] = w.name
		}
		msg := fmt.Sprintf("unknown workload '%s'", name)
		if hint := didYouMean(name, names); hint != "" {
			msg += fmt.Sprintf(" (did you mean '%s'?)", hint)
		}
		return nil, &usageError{msg + "; schedlab-go list shows the workloads"}
	}
	var err error
	if o.procs, err = intOption(values, "--procs", 1, 1, maxProcs); err != nil {
		return nil, err
	}
	if o.reps, err = intOption(values, "--reps", 5, 1, 1<<30); err != nil {
		return nil, err
	}
	if o.warmup, err = intOption(values, "--warmup", 1, 0, 1<<30); err != nil {
		return nil, err
	}
	if s, ok := values["--seed"]; ok {
		if o.seed, err = strconv.ParseUint(s, 10, 64); err != nil || strings.HasPrefix(s, "+") {
			return nil, usagef("--seed: '%s' is not a number", s)
		}
	}
	if o.given, err = parseParams(values["--params"]); err != nil {
		return nil, err
	}
	if o.full, err = o.given.withDefaults(name, o.workload.specs); err != nil {
		return nil, err
	}
	if validate {
		if _, err = o.workload.build(o.given, o.full); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func intOption(values map[string]string, name string, def, min, max int) (int, error) {
	s, ok := values[name]
	if !ok {
		return def, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || strings.HasPrefix(s, "+") {
		return 0, usagef("%s: '%s' is not a number", name, s)
	}
	if v < min || v > max {
		return 0, usagef("%s: %s is out of range [%d, %d]", name, s, min, max)
	}
	return v, nil
}

// superviseChild runs this program again with the same arguments as the child that does the
// work, sharing stdout and stderr; any failure of the child (a panic's exit status 2, a fatal
// runtime error, a signal) becomes exit status 1 here.
func superviseChild() error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find this program to run the workload: %v", err)
	}
	cmd := exec.Command(self, os.Args[1:]...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Killed with this process (an interrupted sweep), not left running as an orphan.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("the run failed (%v)", err)
	}
	return nil
}
