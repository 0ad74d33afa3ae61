// Running repetitions and writing their rows.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

var header = []string{"experiment", "workload", "params", "policy", "steal", "global_check",
	"spin_cap", "runnext", "victim", "runtime", "procs", "rep", "wall_ns", "tasks", "result_ok",
	"seed", "extra"}

// runReps sets GOMAXPROCS, runs the warm-up repetitions unrecorded, then the measured ones,
// writing a row after each. Every repetition builds its workload and collects garbage first,
// untimed; only run() is timed.
func runReps(o *runOptions, w io.Writer) error {
	runtime.GOMAXPROCS(o.procs)
	out := bufio.NewWriter(w)
	fmt.Fprintln(out, csvJoin(header))
	if err := out.Flush(); err != nil {
		return err
	}
	for rep := -o.warmup; rep < o.reps; rep++ {
		wl, err := o.workload.build(o.given, o.full)
		if err != nil {
			return err
		}
		runtime.GC()
		t0 := time.Now()
		wl.run()
		wall := time.Since(t0).Nanoseconds()
		if rep < 0 {
			continue
		}
		r := wl.check()
		fmt.Fprintln(out, csvJoin(row(o, rep, wall, r)))
		if err := out.Flush(); err != nil {
			return err
		}
		if !r.ok {
			fmt.Fprintf(os.Stderr, "schedlab-go: %s %s procs=%d rep %d: wrong answer: %s\n",
				o.workload.name, o.workload.recordedParams(o.full).canonical(), o.procs, rep, r.detail)
		}
	}
	return nil
}

func row(o *runOptions, rep int, wallNs int64, r result) []string {
	ok := "0"
	if r.ok {
		ok = "1"
	}
	var extra []string
	for _, e := range r.extra {
		if e.value != "" {
			extra = append(extra, e.key+"="+e.value)
		}
	}
	return []string{"", o.workload.name, o.workload.recordedParams(o.full).canonical(), "NA", "NA", "NA", "NA", "NA", "NA",
		"go", strconv.Itoa(o.procs), strconv.Itoa(rep), strconv.FormatInt(wallNs, 10),
		strconv.FormatUint(r.tasks, 10), ok, strconv.FormatUint(o.seed, 10), strings.Join(extra, ";")}
}

// csvJoin quotes a cell holding a comma, a quote or a line break, doubling its quotes.
func csvJoin(cells []string) string {
	quoted := make([]string, len(cells))
	for i, c := range cells {
		if strings.ContainsAny(c, ",\"\r\n") {
			c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
		}
		quoted[i] = c
	}
	return strings.Join(quoted, ",")
}
