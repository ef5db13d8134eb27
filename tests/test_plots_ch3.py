"""vdsr_lib.plots.histogram (chapter 3's residual statistics)."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from vdsr_lib import plots  # noqa: E402


def test_histogram_counts_every_value_on_a_log_axis():
    fig, (a, b) = plots.panels(2, sharey=True)
    values = np.concatenate([np.zeros(1000), np.linspace(-50, 50, 101)])
    counts = plots.histogram(b, values, bins=10, range=(-50, 50), xlabel="grey levels", title="residual")
    assert counts.sum() == values.size and counts.max() >= 1000  # the spike at zero
    assert b.get_yscale() == "log" and b.get_ylabel() == "pixels" and b.get_title() == "residual"
    assert a.get_yscale() == "log"  # the panels share their count axis
    assert fig.get_size_inches()[0] * fig.dpi <= 700
    fig, ax = plots.panels(1)
    linear = plots.histogram(ax, np.arange(10), bins=5, log=False, color="tab:gray")
    assert ax.get_yscale() == "linear" and list(linear) == [2] * 5
