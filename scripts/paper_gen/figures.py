"""Plot helpers of the policy-study figures and the LaTeX that includes a figure with its
generated paragraph and a caption naming its CSVs and their commands."""

import matplotlib.pyplot as plt
import numpy as np

from . import tex

COLORS = plt.rcParams["axes.prop_cycle"].by_key()["color"]


def bars(ax, labels, series, ylabel, log=False):
    """Grouped bars with 95% CI whiskers. series: [(name, [Est or None per label])]."""
    n = max(1, len(series))
    width = 0.8 / n
    xs = np.arange(len(labels))
    for i, (name, ests) in enumerate(series):
        vals = [e.value if e else np.nan for e in ests]
        err = np.array([[e.value - e.lo if e else 0 for e in ests],
                        [e.hi - e.value if e else 0 for e in ests]])
        ax.bar(xs + (i - (n - 1) / 2) * width, vals, width, yerr=err, capsize=2, label=name,
               color=COLORS[i % len(COLORS)], error_kw={"lw": 0.8})
    ax.set_xticks(xs)
    ax.set_xticklabels(labels, rotation=30, ha="right")
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    if n > 1:
        ax.legend()


def lines(ax, xs_by_series, ylabel, xlabel, logx=True, logy=True):
    """Lines with CI bands. xs_by_series: [(name, [(x, Est)])]."""
    for i, (name, pts) in enumerate(xs_by_series):
        pts = [(x, e) for x, e in pts if e is not None]
        if not pts:
            continue
        x = [p[0] for p in pts]
        ax.plot(x, [p[1].value for p in pts], "o-", ms=3, label=name, color=COLORS[i % len(COLORS)])
        ax.fill_between(x, [p[1].lo for p in pts], [p[1].hi for p in pts], alpha=0.2,
                        color=COLORS[i % len(COLORS)])
    if logx:
        ax.set_xscale("log", base=2)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend()


def panels(n, width=2.6, height=2.3, per_row=4):
    """n axes, at most per_row to a row (spare axes hidden)."""
    n = max(1, n)
    cols = min(n, per_row)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols + 0.4, height * rows),
                             squeeze=False)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def section(out, name, title, paragraph, caption, tables, label, fig=None, missing=()):
    """A subsection: the generated paragraph, then the figure (if any) with its caption."""
    if fig is None:  # nothing to draw (inputs missing under --allow-missing)
        paragraph = paragraph.replace(f"Figure~\\ref{{fig:{name}}}", "This study")
    body = [f"\\subsection{{{title}}}\\label{{sec:{name}}}", paragraph]
    for e in missing:
        body.append(r"\par " + tex.not_measured(e, label))
    if fig is not None:
        out.figure(f"{name}.pdf", fig)
        body.append(f"\\begin{{figure}}[t]\\centering\\includegraphics[width=\\linewidth]{{{name}}}"
                    f"\\caption{{{caption} Medians and bootstrap 95\\% CIs. "
                    f"{tex.caption_source(tables, label)}}}\\label{{fig:{name}}}\\end{{figure}}")
    out.text(f"{name}.tex", "\n\n".join(body))


def compare(this, other, e):
    """A sentence part from e = T(other)/T(this): 'this is 1.12x [1.05, 1.20] faster than other'."""
    if e is None:
        return f"{this} and {other} cannot be compared (rows missing)"
    r = tex.with_ci(e, tex.x)
    if e.lo > 1:
        return f"{this} is {r} faster than {other}"
    if e.hi < 1:
        inv = tex.with_ci(e.inverse(1.0), tex.x)
        return f"{this} is {inv} slower than {other}"
    return f"{this} and {other} are not distinguishable (T({other})/T({this}) = {r})"


def sentences(parts):
    """Clauses joined by semicolons, capitalised, ending with a full stop ('' for none)."""
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
