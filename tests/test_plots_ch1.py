"""vdsr_lib.plots.bars: grouped horizontal bars (chapter 1's protocol deviations and pitfalls)."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from vdsr_lib import plots  # noqa: E402


def test_bars_one_bar_per_value_first_category_on_top():
    fig, ax = plots.panels(1)
    out = plots.bars(ax, ["Set5 x2", "Set5 x3", "Set14 x2"], {"paper": [0.01, -0.02, 0.0],
                                                              "selfexsr": [-0.01, np.nan, -0.02]},
                     xlabel="dB", band=0.005)
    assert len(out) == 2 and all(len(c) == 3 for c in out)
    assert np.allclose([b.get_width() for b in out[0]], [0.01, -0.02, 0.0])
    # the two bars of a row sit side by side around the row's position
    assert out[0][0].get_y() < out[1][0].get_y() and abs(out[0][0].get_y() + out[0][0].get_height() - 0.0) < 0.5
    lo, hi = ax.get_ylim()
    assert lo > hi  # inverted: category 0 at the top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Set5 x2", "Set5 x3", "Set14 x2"]
    assert ax.get_xlabel() == "dB"
    assert plots.legend_below(fig) is not None
    plt.close(fig)


def test_bars_refuses_mismatched_series():
    fig, ax = plots.panels(1)
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        plots.bars(ax, ["a", "b", "c"], {"x": [1, 2]})
    with pytest.raises(ValueError, match="at least one series"):
        plots.bars(ax, ["a"], {})
    plt.close(fig)


def test_bars_write_each_value_so_a_tiny_bar_still_reads():
    fig, ax = plt.subplots()
    plots.bars(ax, ["big", "tiny"], {"x2": [2.5, 0.0012], "x3": [-1.75, float("nan")]}, values="{:+.3f}")
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["+2.500", "+0.001", "-1.750"]  # NaN: no bar, no label
    neg = ax.texts[2]
    assert neg.get_ha() == "right" and ax.texts[0].get_ha() == "left"
    fig.canvas.draw()  # the labels sit inside the axes: the x range leaves room beyond the bars
    lo, hi = ax.get_xlim()
    assert hi > 2.5 * 1.1 and lo < -1.75 * 1.1
    plt.close(fig)
