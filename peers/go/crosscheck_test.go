// Checks that the Go workloads generate exactly the C++ workloads' inputs. The digests below
// were printed by a C++ program built against workloads/ (libschedlab_workloads.a) that folded
// the same values with mix64 in the same order: randdag's serial node values then its grains,
// matmul's A then B (the bits of each double), cholesky's input tiles, task list and edges.
package main

import (
	"math"
	"os"
	"testing"
)

func fold(h, v uint64) uint64 { return mix64(h ^ v) }

func build(t *testing.T, name, text string) workload {
	t.Helper()
	info := findWorkload(name)
	given, err := parseParams(text)
	if err != nil {
		t.Fatal(err)
	}
	full, err := given.withDefaults(name, info.specs)
	if err != nil {
		t.Fatal(err)
	}
	w, err := info.build(given, full)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// digestCase is a parameter text and the digest C++ printed for it.
type digestCase struct {
	params string
	digest uint64
}

// checkDigests builds the workload for each case and folds the values bits returns.
func checkDigests(t *testing.T, name string, cases []digestCase, bits func(workload) []uint64) {
	t.Helper()
	for _, c := range cases {
		var h uint64
		for _, v := range bits(build(t, name, c.params)) {
			h = fold(h, v)
		}
		if h != c.digest {
			t.Errorf("%s %q: digest %016x, C++ %016x", name, c.params, h, c.digest)
		}
	}
}

func doubleBits(xs ...[]float64) []uint64 {
	var out []uint64
	for _, x := range xs {
		for _, v := range x {
			out = append(out, math.Float64bits(v))
		}
	}
	return out
}

func TestRandDagMatchesCxx(t *testing.T) {
	checkDigests(t, "randdag", []digestCase{
		{"", 0x7a5d2db05cbd20a9},
		{"seed=7;width=100;depth=50;fanin=10", 0x7548e680d4d3be1c},
		{"grain_dist=uniform;seed=3", 0xaa3340c3e5e0d970},
		{"grain_dist=fixed;grain=5", 0x38e43008ec9651ea},
		{"width=1000;depth=100;grain=3.7", 0xf89211b7fe3a65b0},
		{"width=300;depth=300;fanin=64;grain=50;seed=99", 0xaf179b4c9c510c89},
	}, func(w workload) []uint64 {
		d := w.(*randDag)
		return append(append([]uint64(nil), d.expected...), d.iters...)
	})
}

func TestMatmulInputsMatchCxx(t *testing.T) {
	checkDigests(t, "matmul", []digestCase{
		{"n=64", 0xc2fe7288f1ce2349},
		{"n=200;seed=12345", 0x65b11030bcece240},
		{"n=1;seed=0", 0x8c8363a7f914f8dd},
	}, func(w workload) []uint64 {
		m := w.(*matmul)
		return doubleBits(m.a, m.b)
	})
}

func TestCholeskyMatchesCxx(t *testing.T) {
	checkDigests(t, "cholesky", []digestCase{
		{"n=64;tile=16", 0x1deb17cb158063ea},
		{"n=96;tile=32;seed=5", 0x4553caebcf242a59},
		{"n=7;tile=1", 0xc3568d8a7e8c5357},
	}, func(w workload) []uint64 {
		c := w.(*cholesky)
		out := doubleBits(c.input)
		for _, k := range c.tasks {
			first := uint64(0)
			if k.first {
				first = 1
			}
			out = append(out, uint64(k.kind)<<56^first<<48^uint64(k.i)<<32^uint64(k.j)<<16^uint64(k.k))
		}
		for v := uint32(0); v < c.g.size(); v++ {
			for _, s := range c.g.succs(v) {
				out = append(out, uint64(v)<<32|uint64(s))
			}
		}
		return out
	})
}

// The published counts of the 4-million-node sample trees, by a serial traversal.
func TestUtsPresetsSerial(t *testing.T) {
	names := []string{"small", "T1", "T2", "T3", "T4", "T5"}
	if testing.Short() {
		names = names[:2]
	}
	for _, name := range names {
		p := findUtsPreset(name)
		tree := utsTree{p.config}
		got := tree.countSerial()
		if got.nodes != p.nodes || got.leaves != p.leaves || (p.depth >= 0 && got.depth != uint64(p.depth)) {
			t.Errorf("%s: %d nodes, %d leaves, depth %d; published %d, %d, %d",
				name, got.nodes, got.leaves, got.depth, p.nodes, p.leaves, p.depth)
		}
	}
}

func TestParamsMatchCxxRules(t *testing.T) {
	p := params{"i": "+5", "j": "5 ", "k": "-0", "d": "1e-400", "e": "0x1p-3", "f": "inf"}
	if _, err := p.getInt("i", 0, 9); err == nil {
		t.Error("from_chars rejects a leading '+'")
	}
	if v, err := p.getInt("k", -1, 1); err != nil || v != 0 {
		t.Errorf("-0: %v %v", v, err)
	}
	if _, err := p.getDouble("d", 0, 1); err == nil {
		t.Error("strtod reports underflow as ERANGE")
	}
	if v, err := p.getDouble("e", 0, 1); err != nil || v != 0.125 {
		t.Errorf("hex float: %v %v", v, err)
	}
	if _, err := p.getDouble("f", 0, 1); err == nil {
		t.Error("infinity is not a number")
	}
	if _, err := parseParams("n=1;n=2"); err == nil {
		t.Error("a key given twice")
	}
	got, _ := parseParams(" b = 2 , a=1;; ")
	if got.canonical() != "a=1;b=2" {
		t.Errorf("canonical %q", got.canonical())
	}
	if didYouMean("cutof", []string{"n", "cutoff", "spawn"}) != "cutoff" {
		t.Error("did you mean cutoff")
	}
}

// The 100-million-node trees: minutes of hashing, so only when asked for (-run UtsLarge with
// SCHEDLAB_UTS_LARGE=1 in the environment).
func TestUtsLargePresetsSerial(t *testing.T) {
	if os.Getenv("SCHEDLAB_UTS_LARGE") != "1" {
		t.Skip("set SCHEDLAB_UTS_LARGE=1 to traverse T1L, T2L and T3L")
	}
	for _, name := range []string{"T1L", "T2L", "T3L"} {
		p := findUtsPreset(name)
		tree := utsTree{p.config}
		got := tree.countSerial()
		if got.nodes != p.nodes || got.leaves != p.leaves || got.depth != uint64(p.depth) {
			t.Errorf("%s: %d nodes, %d leaves, depth %d; published %d, %d, %d",
				name, got.nodes, got.leaves, got.depth, p.nodes, p.leaves, p.depth)
		}
	}
}
