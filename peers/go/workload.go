// What every workload is, as in workloads/include/schedlab/workloads/workload.hpp: parameters
// with defaults and validation, an untimed build, a timed run, and a check of its own answer.
package main

import (
	"fmt"
	"strconv"
)

// workload is one built instance: run is the timed part, check reads its answer afterwards.
type workload interface {
	run()
	check() result
}

// kv is one extra column, written as k=v in the extra cell (empty values are left out, as
// schedlab leaves them out).
type kv struct{ key, value string }

// result is what a run produced: the tasks (goroutines) the workload started, whether its
// answer checked out, why not, and the workload's extra values in a fixed order.
type result struct {
	tasks  uint64
	ok     bool
	detail string
	extra  []kv
}

// exactCheck is the result of a workload whose answer is one number with a known value: ok
// when got is want; the number is the extra column key.
func exactCheck(tasks, got, want uint64, detail, key string) result {
	r := result{tasks: tasks, ok: got == want, detail: detail}
	if !r.ok {
		r.detail += fmt.Sprintf(", expected %d", want)
	}
	r.extra = []kv{{key, strconv.FormatUint(got, 10)}}
	return r
}

// workloadInfo registers a workload: its name, its parameters, and how to build it from
// complete parameters (defaults filled in). build validates and generates inputs, untimed.
type workloadInfo struct {
	name  string
	specs []paramSpec
	build func(given, full params) (workload, error)
}

// recordedBy holds, for the workloads that have one, schedlab's W::recorded: of the complete
// parameters, those the workload reads.
var recordedBy = map[string]func(full params) params{"uts": utsRecorded}

// recordedParams is the params column: the parameters the workload reads (all by default).
func (w *workloadInfo) recordedParams(full params) params {
	if f, ok := recordedBy[w.name]; ok {
		return f(full)
	}
	return full
}

// workloads lists what schedlab-go runs, in the order of schedlab's AllWorkloads.
var workloads = []workloadInfo{
	{"fib", fibSpecs, newFib},
	{"nqueens", nqueensSpecs, newNQueens},
	{"uts", utsSpecs, newUts},
	{"matmul", matmulSpecs, newMatmul},
	{"cholesky", choleskySpecs, newCholesky},
	{"randdag", randdagSpecs, newRandDag},
	{"spawnstorm", spawnStormSpecs, newSpawnStorm},
	{"fanout", fanoutSpecs, newFanOut},
	{"pipeline", pipelineSpecs, newPipeline},
	{"pingpong", pingpongSpecs, newPingPong},
	{"spawnwait", spawnWaitSpecs, newSpawnWait},
	{"parked", parkedSpecs, newParked},
	{"starve", starveSpecs, newStarve},
	{"blocking", blockingSpecs, newBlocking},
	{"fairness", fairnessSpecs, newFairness},
	{"timers", timersSpecs, newTimers},
}

func findWorkload(name string) *workloadInfo {
	for i := range workloads {
		if workloads[i].name == name {
			return &workloads[i]
		}
	}
	return nil
}
