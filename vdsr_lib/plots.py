"""Figures that fit a page of the book: the drawing code several chapters share.

The built book's text column is about 700 px wide and notebook figures are saved at 100 dpi, so a
figure at most ``COLUMN_INCHES`` wide is shown at its natural size with readable fonts. Every
helper here draws at most two panels side by side and puts legends below the axes, off the data.

Chapters call these instead of spending forty lines on axes::

    from vdsr_lib import plots
    fig, (a, b) = plots.panels(2)
    plots.curves(a, {"residual": (steps, psnr)}, ylabel="Set5 PSNR (dB)")
    plots.legend_below(fig, a)
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["COLUMN_INCHES", "DPI", "book_style", "panels", "legend_below", "curves", "paper_points",
           "validation_curve", "lr_drops", "below_axis", "heatmap", "mosaic", "show_image", "architecture"]

COLUMN_INCHES = 6.8  # figure width that fits the book's text column at DPI (680 px)
DPI = 100
_STYLE = {"figure.dpi": DPI, "savefig.dpi": DPI, "font.size": 10, "axes.titlesize": 10,
          "axes.labelsize": 10, "legend.fontsize": 9, "xtick.labelsize": 9, "ytick.labelsize": 9,
          "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3}


def book_style() -> None:
    """Set matplotlib's defaults to the book's: 100 dpi, 9-10 pt fonts, light grid."""
    plt.rcParams.update(_STYLE)


def panels(n: int = 1, height: float = 3.0, width: float = COLUMN_INCHES, **kwargs: Any):
    """``(fig, axes)``: ``n`` panels (1 or 2) side by side at the column width; ``axes`` is one Axes
    for ``n == 1``, else a tuple. More panels go in more figures, or in rows via ``plt.subplots``."""
    if n not in (1, 2):
        raise ValueError(f"at most two panels fit side by side on a book page, got {n}")
    book_style()
    fig, axes = plt.subplots(1, n, figsize=(width, height), constrained_layout=True, **kwargs)
    return fig, (axes if n == 1 else tuple(axes))


def legend_below(fig, ax=None, ncol: int | None = None, **kwargs: Any):
    """One legend for the whole figure, centred below the axes (off the data). Handles come from
    ``ax`` (default: every axes of ``fig``, labels de-duplicated)."""
    axes = [ax] if ax is not None else fig.axes
    seen: dict[str, Any] = {}
    for a in axes:
        for h, label in zip(*a.get_legend_handles_labels()):
            if not label.startswith("_"):
                seen.setdefault(label, h)
    if not seen:
        return None
    ncol = ncol or min(len(seen), 4)
    return fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncol=ncol, frameon=False,
                      **kwargs)


def curves(ax, series: Mapping[str, tuple[Sequence[float], Sequence[float]]], xlabel: str = "iteration",
           ylabel: str = "", title: str = "", styles: Mapping[str, Mapping[str, Any]] | None = None,
           marker_if_few: int = 3) -> None:
    """Draw ``{label: (x, y)}`` as lines; a series with fewer than ``marker_if_few`` points is drawn
    as markers only, so no line is drawn between measurements that were never made."""
    styles = styles or {}
    for label, (x, y) in series.items():
        kw = dict(styles.get(label, {}))
        if len(x) < marker_if_few:
            kw.setdefault("marker", "o")
            kw.setdefault("linestyle", "none")
        ax.plot(np.asarray(x, dtype=float), np.asarray(y, dtype=float), label=label, **kw)
    ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)


def paper_points(ax, points: Mapping[str, tuple[float, float]], color: str = "k", marker: str = "*",
                 label: str = "paper") -> None:
    """Mark the paper's numbers ``{name: (x, y)}`` as stars; one legend entry for all of them."""
    for i, (_, (x, y)) in enumerate(points.items()):
        ax.plot([x], [y], marker=marker, color=color, markersize=11, linestyle="none",
                label=label if i == 0 else "_nolegend_")


def validation_curve(history: Mapping[str, Any], scale: int = 2, x: str = "step") -> tuple[list[float], list[float]]:
    """``(x, PSNR)`` of a training history's validations at ``scale``; ``x`` is ``"step"`` or
    ``"epoch"``. Ready for :func:`curves`."""
    if x not in ("step", "epoch"):
        raise ValueError(f"x must be 'step' or 'epoch', got {x!r}")
    vals = [e for e in history["epochs"] if str(scale) in e.get("val_psnr", {})]
    return [float(e[x]) for e in vals], [float(e["val_psnr"][str(scale)]) for e in vals]


def lr_drops(ax, steps: Sequence[float]) -> None:
    """Mark with dotted vertical lines the iterations where the learning rate is divided (the
    lines stay visibly dotted at the column's size: 1 px dots, 2 px gaps)."""
    for x in steps:
        ax.axvline(float(x), color="0.3", lw=1.0, ls=(0, (1, 2)), label="_nolegend_")


def below_axis(ax, x: Sequence[float], y: Sequence[float], label: str = "_nolegend_", row: int = 0,
               **style: Any) -> list[tuple[float, float]]:
    """Mark the points of a curve that lie below the axes' lower limit (set the limits first) with
    downward triangles just inside the bottom edge, so a cut-off point is seen, not lost; ``row``
    stacks the triangles of another curve one marker higher, so curves that leave the axis at the
    same ``x`` stay apart. Returns the cut-off points ``[(x, y), ...]`` for the caption."""
    bottom = ax.get_ylim()[0]
    cut = [(float(a), float(b)) for a, b in zip(x, y) if b < bottom]
    if cut:
        style = {"marker": "v", "ms": 7, "mec": "k", "mew": 0.5, **style}
        ax.plot([a for a, _ in cut], [0.04 + 0.07 * row] * len(cut), ls="none", label=label,
                transform=ax.get_xaxis_transform(), zorder=5, **style)
    return cut


def heatmap(ax, values: np.ndarray, rows: Sequence[str], cols: Sequence[str], fmt: str = "{:+.2f}",
            cmap: str = "RdBu", limit: float | None = None, label: str = "") -> Any:
    """A matrix of numbers (e.g. dB against bicubic) as coloured cells with the value written in each;
    colours centred on zero and capped at ``limit`` so one extreme cell does not wash out the rest.
    NaN cells stay blank. Returns the colour-bar."""
    values = np.asarray(values, dtype=float)
    if values.shape != (len(rows), len(cols)):
        raise ValueError(f"values of shape {values.shape} do not match {len(rows)} rows x {len(cols)} columns")
    finite = values[np.isfinite(values)]
    limit = limit if limit is not None else (float(np.abs(finite).max()) if finite.size else 1.0) or 1.0
    im = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=-limit, vmax=limit, aspect="auto")
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    ax.grid(False)
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=9,
                    color="white" if abs(v) > 0.6 * limit else "black")
    bar = ax.figure.colorbar(im, ax=ax, shrink=0.9)
    if label:
        bar.set_label(label)
    return bar


def mosaic(tiles: Sequence[np.ndarray], ncols: int, pad: int = 1, normalize: str | None = None) -> np.ndarray:
    """Many small 2-D arrays of one shape (filters, feature maps) as ONE image: ``ncols`` tiles per
    row, ``pad`` NaN pixels between them (drawn as background by :func:`show_image`), so 64 filters
    take one panel instead of 64 axes. ``normalize``: ``None`` (values as they are), ``"abs"`` (each
    tile divided by its largest magnitude: -1..1, for signed filters) or ``"minmax"`` (each tile
    stretched to 0..1, for feature maps)."""
    tiles = [np.asarray(t, dtype=float) for t in tiles]
    if not tiles:
        raise ValueError("mosaic needs at least one tile")
    shape = tiles[0].shape
    if len(shape) != 2 or any(t.shape != shape for t in tiles):
        raise ValueError(f"tiles must be 2-D arrays of one shape, got {sorted({t.shape for t in tiles})}")
    if normalize not in (None, "abs", "minmax"):
        raise ValueError(f"normalize must be None, 'abs' or 'minmax', got {normalize!r}")
    if ncols < 1 or pad < 0:
        raise ValueError("ncols must be positive and pad non-negative")
    h, w = shape
    nrows = -(-len(tiles) // ncols)
    out = np.full((nrows * (h + pad) - pad, ncols * (w + pad) - pad), np.nan)
    for k, t in enumerate(tiles):
        if normalize == "abs":
            t = t / (np.abs(t).max() or 1.0)
        elif normalize == "minmax":
            t = (t - t.min()) / ((t.max() - t.min()) or 1.0)
        r, c = divmod(k, ncols)
        out[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = t
    return out


def show_image(ax, image: np.ndarray, title: str = "", cmap: str = "gray", vmin: float | None = None,
               vmax: float | None = None, colorbar: str | None = None) -> Any:
    """Draw an image (2-D, or H x W x 3) without ticks or grid, NaN pixels as light background; a
    colour-bar labelled ``colorbar`` when given. Returns the image artist."""
    cm = plt.get_cmap(cmap).with_extremes(bad="#eeeeee")
    im = ax.imshow(np.ma.masked_invalid(np.asarray(image, dtype=float)), cmap=cm, vmin=vmin, vmax=vmax,
                   interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    if colorbar is not None:
        ax.figure.colorbar(im, ax=ax, shrink=0.85, label=colorbar)
    return im


def histogram(ax, values: Sequence[float] | np.ndarray, bins: int = 128, range: tuple[float, float] | None = None,
              xlabel: str = "", title: str = "", log: bool = True, **kwargs: Any) -> np.ndarray:
    """A histogram of ``values`` (e.g. the pixels of many images) as filled steps, on a logarithmic
    count axis by default so that rare large values stay visible; returns the counts per bin."""
    counts, edges = np.histogram(np.asarray(values, dtype=float).ravel(), bins=bins, range=range)
    kwargs.setdefault("color", "tab:blue")
    ax.stairs(counts, edges, fill=True, **kwargs)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("pixels")
    if title:
        ax.set_title(title)
    return counts


def bars(ax, categories: Sequence[str], series: Mapping[str, Sequence[float]], xlabel: str = "",
         band: float | None = None, styles: Mapping[str, Mapping[str, Any]] | None = None,
         values: str | None = None) -> list[Any]:
    """Grouped horizontal bars: one row per category (top to bottom, in order), one bar per series
    in each row (e.g. dB against the paper for each cell of a table, one bar per protocol). A zero
    line is drawn; ``band`` shades ``[-band, band]`` (e.g. the paper's rounding to two decimals).
    ``values`` (a format such as ``"{:+.3f}"``) writes each bar's value at its end, so a bar too
    short to see at the axis' scale still reads. NaN values leave their bar out. Returns the bar
    containers, one per series."""
    styles = styles or {}
    n = len(series)
    if n == 0:
        raise ValueError("bars needs at least one series")
    for label, vals in series.items():
        if len(vals) != len(categories):
            raise ValueError(f"series {label!r} has {len(vals)} values for {len(categories)} categories")
    y = np.arange(len(categories), dtype=float)
    height = 0.8 / n
    out = []
    for k, (label, vals) in enumerate(series.items()):
        offset = (k - (n - 1) / 2) * height
        out.append(ax.barh(y + offset, np.asarray(vals, dtype=float), height=height, label=label,
                           **dict(styles.get(label, {}))))
        if values:
            for yy, v in zip(y + offset, np.asarray(vals, dtype=float)):
                if np.isfinite(v):
                    ax.annotate(values.format(v), (v, yy), xytext=(3 if v >= 0 else -3, 0),
                                textcoords="offset points", ha="left" if v >= 0 else "right",
                                va="center", fontsize=7)
    if band:
        ax.axvspan(-band, band, color="0.85", zorder=0, lw=0)
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yticks(y, list(categories))
    ax.set_ylim(len(categories) - 0.5, -0.5)  # the first category on top
    if values:
        ax.margins(x=0.18)  # room for the value written beyond the longest bar
    ax.grid(axis="y", visible=False)
    if xlabel:
        ax.set_xlabel(xlabel)
    return out


def architecture(ax, depth: int = 20, width: int = 64) -> dict[str, Any]:
    """Draw VDSR as a block diagram on ``ax``: the ILR input, ``depth`` weight layers (3x3
    convolutions, ``width`` filters and a ReLU, the last one a single filter without ReLU), the
    predicted residual, and the skip connection that adds the ILR back. Returns the drawn parts
    (``layers``: one rectangle per weight layer, ``skip``: the skip arrow, ``texts``)."""
    from matplotlib.patches import Circle, FancyArrowPatch, Rectangle

    if depth < 2:
        raise ValueError(f"a VDSR has at least 2 weight layers (first and last), got depth={depth}")
    ax.set(xlim=(0, 10), ylim=(0, 4), aspect="auto")
    ax.axis("off")
    texts, mid = [], 1.7

    def box(x0, x1, label, color):
        ax.add_patch(Rectangle((x0, mid - 0.6), x1 - x0, 1.2, fc=color, ec="k", lw=0.8))
        texts.append(ax.text((x0 + x1) / 2, mid, label, ha="center", va="center", fontsize=9))

    def arrow(x0, x1, y0=mid, y1=mid, **kw):
        a = FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=10, lw=1, **kw)
        ax.add_patch(a)
        return a

    box(0.05, 1.25, "ILR\n(bicubic-\nupscaled)", "0.9")
    left, right = 1.6, 6.5
    step = (right - left) / depth
    layers = []
    for i in range(depth):
        last = i == depth - 1
        r = Rectangle((left + i * step + 0.02, mid - (0.25 if last else 0.8)), step - 0.04,
                      0.5 if last else 1.6, fc="tab:orange" if last else "tab:blue", ec="none")
        ax.add_patch(r)
        layers.append(r)
    arrow(1.25, left)
    texts.append(ax.text((left + right) / 2, mid - 1.05,
                         f"{depth} weight layers: {depth - 1} x (conv 3x3, {width} filters, ReLU)\n"
                         "+ 1 x (conv 3x3, 1 filter), zero padding: same size throughout",
                         ha="center", va="top", fontsize=8.5))
    arrow(right, 6.9)
    box(6.9, 8.05, "residual\n(HR - ILR,\npredicted)", "#fde0c5")
    ax.add_patch(Circle((8.55, mid), 0.28, fc="white", ec="k", lw=1))
    texts.append(ax.text(8.55, mid, "+", ha="center", va="center", fontsize=13))
    arrow(8.05, 8.27)
    arrow(8.83, 9.25)
    texts.append(ax.text(9.62, mid, "HR\nestimate", ha="center", va="center", fontsize=9))
    skip = arrow(0.65, 8.55, mid + 0.6, mid + 0.28, connectionstyle="angle,angleA=0,angleB=90,rad=0",
                 color="tab:green")
    ax.plot([0.65, 0.65], [mid + 0.6, mid + 1.6], color="tab:green", lw=1)
    skip.set_positions((0.65, mid + 1.6), (8.55, mid + 0.28))
    texts.append(ax.text(4.6, mid + 1.72, "skip connection: the ILR itself is added to the residual",
                         ha="center", va="bottom", fontsize=8.5, color="tab:green"))
    return {"layers": layers, "skip": skip, "texts": texts}
