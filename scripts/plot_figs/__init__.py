"""The figures of scripts/plot.py, one module per figure, each named after the file it writes
(FIGDIR/<name>.png ...); common holds what they share (CSV reading, statistics, labels,
styling, writing). scripts/plot.py is the command line.

Invariants: FIGURES is the order the figures are made and reported in; MAKERS maps each name
to a function (rows, metas) -> (figure, note) or (None, why it was skipped), where rows are
common.load's good rows (never empty: plot.py skips every figure itself when there are none)
and metas its sidecar metadata by file. common is imported first: it picks matplotlib's Agg
backend and sets the shared rcParams before any figure module loads pyplot.
"""
from . import common  # noqa: F401  (first: the backend and rcParams)
from .counters import fig_counters
from .heatmap_gc_steal import fig_heatmap
from .pingpong_cdf import fig_pingpong
from .pipeline_throughput import fig_pipeline
from .runtimes import fig_runtimes
from .speedup import fig_speedup
from .wall_time import fig_wall_time

FIGURES = ["speedup", "wall_time", "heatmap_gc_steal", "pingpong_cdf", "counters",
           "pipeline_throughput", "runtimes"]
MAKERS = {"speedup": fig_speedup, "wall_time": fig_wall_time, "heatmap_gc_steal": fig_heatmap,
          "pingpong_cdf": fig_pingpong, "counters": fig_counters,
          "pipeline_throughput": fig_pipeline, "runtimes": fig_runtimes}
