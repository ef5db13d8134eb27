"""vdsr_lib.plots: figures that fit the page, legends off the data, no line between two points."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from vdsr_lib import plots  # noqa: E402


def test_panels_fit_the_column_and_refuse_three():
    fig, (a, b) = plots.panels(2)
    assert fig.get_size_inches()[0] * fig.dpi <= 700
    with pytest.raises(ValueError, match="at most two panels"):
        plots.panels(3)


def test_curves_draw_markers_only_for_two_points_and_legend_goes_below():
    fig, ax = plots.panels(1)
    plots.curves(ax, {"long": ([0, 1, 2, 3], [1, 2, 3, 4]), "two": ([0, 10], [5, 6])}, ylabel="dB")
    plots.paper_points(ax, {"a": (1, 2), "b": (2, 3)})
    lines = {l.get_label(): l for l in ax.get_lines()}
    assert lines["two"].get_linestyle() == "None" and lines["long"].get_linestyle() == "-"
    leg = plots.legend_below(fig)
    assert [t.get_text() for t in leg.get_texts()] == ["long", "two", "paper"]  # one "paper" entry
    fig.canvas.draw()
    assert leg.get_window_extent().y1 <= ax.get_window_extent().y0 + 1  # below the axes


def test_validation_curve_reads_a_history():
    h = {"epochs": [{"epoch": 1, "step": 10, "val_psnr": {"2": 30.0}}, {"epoch": 2, "step": 20},
                    {"epoch": 3, "step": 30, "val_psnr": {"2": 31.5, "3": 28.0}}]}
    assert plots.validation_curve(h) == ([10.0, 30.0], [30.0, 31.5])
    assert plots.validation_curve(h, 3, x="epoch") == ([3.0], [28.0])
    with pytest.raises(ValueError):
        plots.validation_curve(h, x="time")


def test_lr_drops_draws_dotted_lines_outside_the_legend():
    fig, ax = plots.panels(1)
    ax.plot([0, 100], [1, 2], label="loss")
    plots.lr_drops(ax, range(25, 100, 25))
    lines = [ln for ln in ax.get_lines() if ln.get_label() == "_nolegend_"]
    assert [ln.get_xdata()[0] for ln in lines] == [25.0, 50.0, 75.0]
    assert all(ln.get_linestyle() not in ("-", "None") for ln in lines)  # dotted, not solid
    leg = plots.legend_below(fig, ax)
    assert [t.get_text() for t in leg.get_texts()] == ["loss"]


def test_heatmap_caps_colours_and_writes_values():
    fig, ax = plots.panels(1)
    v = np.array([[1.0, -8.0], [np.nan, 0.5]])
    plots.heatmap(ax, v, ["a", "b"], ["x2", "x3"], limit=4)
    im = ax.get_images()[0]
    assert im.get_clim() == (-4, 4)
    assert sorted(t.get_text() for t in ax.texts) == ["+0.50", "+1.00", "-8.00"]
    with pytest.raises(ValueError, match="do not match"):
        plots.heatmap(ax, v, ["a"], ["x2", "x3"])


def test_below_axis_marks_the_cut_off_points_on_the_bottom_edge():
    fig, ax = plots.panels(1)
    ax.plot([1, 2, 3, 4], [30.0, 20.0, 36.0, 25.0])
    ax.set_ylim(29, 37)
    cut = plots.below_axis(ax, [1, 2, 3, 4], [30.0, 20.0, 36.0, 25.0], color="C0", label="below")
    assert cut == [(2.0, 20.0), (4.0, 25.0)]
    marks = ax.get_lines()[-1]
    assert list(marks.get_xdata()) == [2.0, 4.0] and marks.get_marker() == "v"
    low = list(marks.get_ydata())  # axes fraction: just inside the bottom edge
    assert low[0] == low[1] and 0 < low[0] < 0.1
    other = plots.below_axis(ax, [2], [10.0], row=1)
    assert other == [(2.0, 10.0)] and ax.get_lines()[-1].get_ydata()[0] > low[0]  # stacked above
    assert ax.get_ylim() == (29, 37)  # the limits stay
    assert plots.below_axis(ax, [1], [35.0]) == [] and len(ax.get_lines()) == 3  # nothing to mark
