"""LaTeX output: escaping, number formatting, tables, figures and their captions. Every file is
written to a temporary name in the output directory and renamed, so a failed run leaves the
previous fragment in place, and nothing outside the output directory is touched."""

import os
import re
import tempfile

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.rcParams.update({"font.size": 9, "axes.titlesize": 9, "legend.fontsize": 7,
                     "axes.grid": True, "grid.alpha": 0.3, "savefig.bbox": "tight",
                     "pdf.fonttype": 42, "figure.dpi": 100})

_ESC = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
        "<": r"\textless{}", ">": r"\textgreater{}"}


def esc(s):
    return "".join(_ESC.get(c, c) for c in str(s))


def tt(s):
    """Typewriter text that may break after / = , ; _ and spaces (long commands, paths)."""
    out = esc(s)
    out = re.sub(r"(/|=|,|;|\\_)", r"\1\\allowbreak{}", out)
    return r"\texttt{" + out + "}"


def _sig(v, digits=3):
    if v == 0 or v != v:
        return f"{v:g}"
    a = abs(v)
    if a >= 10 ** digits:
        return f"{v:.0f}"
    decimals = max(0, digits - 1 - int(__import__("math").floor(__import__("math").log10(a))))
    return f"{v:.{decimals}f}"


def ns(v):
    """A duration in ns, in a readable unit (three significant digits)."""
    if v is None:
        return "---"
    a = abs(v)
    for unit, k in (("s", 1e9), ("ms", 1e6), (r"$\mu$s", 1e3)):
        if a >= k:
            return f"{_sig(v / k)}\\,{unit}"
    return f"{_sig(v)}\\,ns"


def count(v, unit=""):
    """A count or rate with an SI prefix: 12.3\\,M."""
    if v is None:
        return "---"
    a = abs(v)
    for p, k in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if a >= k:
            return f"{_sig(v / k)}\\,{p}{unit}"
    return f"{_sig(v)}{(chr(92) + ',' + unit) if unit else ''}"


def nbytes(v):
    if v is None:
        return "---"
    for p, k in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if abs(v) >= k:
            return f"{_sig(v / k)}\\,{p}"
    return f"{_sig(v)}\\,B"


def x(v):
    return "---" if v is None else f"{_sig(v)}$\\times$"


def plain(v):
    return "---" if v is None else _sig(v)


def with_ci(est, fmt):
    """'value [lo, hi]' of an Est with the formatter fmt."""
    if est is None:
        return "---"
    if est.n <= 1 or est.lo == est.hi:
        return f"{fmt(est.value)} (n=1)" if est.n <= 1 else fmt(est.value)
    return f"{fmt(est.value)} [{fmt(est.lo)}, {fmt(est.hi)}]"


class Out:
    """The output directory; remembers what was written (for the index and the test)."""

    def __init__(self, path):
        self.dir = path
        os.makedirs(path, exist_ok=True)
        self.written = []

    def _place(self, name, writer):
        fd, tmp = tempfile.mkstemp(prefix=f".tmp.{name}.", dir=self.dir)
        os.close(fd)
        try:
            writer(tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, os.path.join(self.dir, name))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        self.written.append(name)

    def text(self, name, body):
        def w(tmp):
            with open(tmp, "w") as f:
                f.write(body if body.endswith("\n") else body + "\n")
        self._place(name, w)

    def figure(self, name, fig):
        fig.tight_layout()

        def w(tmp):
            fig.savefig(tmp, format="pdf")
        self._place(name, w)
        plt.close(fig)


def caption_source(tables, results_label):
    """'Data: results/x/a.csv (command: ...).' for each table a figure or table reads."""
    parts = []
    for t in tables:
        rel = os.path.join(results_label, t.name)
        parts.append(f"{tt(rel)} (written by {tt(t.command)})")
    return "Data: " + "; ".join(parts) + "."


def not_measured(err, results_label):
    """The visible placeholder of --allow-missing."""
    rel = os.path.join(results_label, os.path.basename(err.path))
    return f"\\emph{{not measured in this results folder: {tt(rel)} ({esc(err.problem)})}}"


# Every data row of a generated table ends so (tests/paper/paper_test.sh counts them).
ROW = r" \\ % data row"


def tabular(colspec, head, rows, foot=None, size=r"\small"):
    """A booktabs tabular; rows are lists of cells (already LaTeX), one data row each."""
    lines = [size, f"\\begin{{tabular}}{{{colspec}}}", r"\toprule", " & ".join(head) + r" \\",
             r"\midrule"]
    lines += [" & ".join(r) + ROW for r in rows]
    lines.append(r"\bottomrule")
    lines.append(r"\end{tabular}")
    if foot:
        lines.append(r"\par\smallskip{\footnotesize " + foot + "\\par}")
    return "\n".join(lines)


def longtable(colspec, head, rows, caption, label, foot=None, size=r"\footnotesize"):
    lines = ["{" + size, f"\\begin{{longtable}}{{{colspec}}}",
             f"\\caption{{{caption}}}\\label{{{label}}}\\\\", r"\toprule",
             " & ".join(head) + r" \\", r"\midrule", r"\endfirsthead", r"\toprule",
             " & ".join(head) + r" \\", r"\midrule", r"\endhead",
             r"\bottomrule", r"\endfoot"]
    lines += [" & ".join(r) + ROW for r in rows]
    lines.append(r"\end{longtable}")
    if foot:
        lines.append(r"{\footnotesize " + foot + r"\par}")
    lines.append("}")
    return "\n".join(lines)
