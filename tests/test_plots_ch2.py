"""vdsr_lib.plots.mosaic / show_image: many small arrays in one panel (chapter 2's filters)."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from vdsr_lib import plots  # noqa: E402


def test_mosaic_lays_tiles_out_in_rows_with_nan_gutters():
    tiles = [np.full((3, 3), k, float) for k in range(5)]
    m = plots.mosaic(tiles, ncols=2, pad=1)
    assert m.shape == (3 * 3 + 2, 2 * 3 + 1)  # 3 rows of tiles, 2 columns
    assert np.all(m[0:3, 0:3] == 0) and np.all(m[0:3, 4:7] == 1) and np.all(m[8:11, 0:3] == 4)
    assert np.isnan(m[3]).all() and np.isnan(m[:, 3]).all()  # gutters
    assert np.isnan(m[8:11, 4:7]).all()  # the missing sixth tile stays blank


def test_mosaic_normalizes_each_tile():
    a, b = np.array([[1.0, -4.0]]), np.array([[10.0, 20.0]])
    signed = plots.mosaic([a, b], ncols=2, pad=0, normalize="abs")
    assert np.allclose(signed, [[0.25, -1.0, 0.5, 1.0]])
    stretched = plots.mosaic([a, b, np.zeros((1, 2))], ncols=3, pad=0, normalize="minmax")
    assert np.allclose(stretched, [[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]])  # a flat tile stays finite


def test_mosaic_refuses_bad_input():
    with pytest.raises(ValueError, match="at least one"):
        plots.mosaic([], 2)
    with pytest.raises(ValueError, match="one shape"):
        plots.mosaic([np.zeros((3, 3)), np.zeros((2, 2))], 2)
    with pytest.raises(ValueError, match="normalize"):
        plots.mosaic([np.zeros((3, 3))], 2, normalize="each")


def test_show_image_hides_axes_and_adds_a_labelled_colorbar():
    fig, (a, b) = plots.panels(2)
    im = plots.show_image(a, plots.mosaic([np.eye(3)] * 4, 2), title="filters", cmap="bwr",
                          vmin=-1, vmax=1, colorbar="weight")
    assert not a.axison and a.get_title() == "filters"
    assert np.allclose(im.get_cmap().get_bad()[:3], 238 / 255)  # NaN gutters drawn as background
    assert fig.axes[-1].get_ylabel() == "weight"  # the colour-bar
    plots.show_image(b, np.zeros((4, 4, 3)))
    assert len(fig.axes) == 3


def test_architecture_draws_one_block_per_layer_and_the_skip_inside_the_figure():
    fig, ax = plots.panels(1, height=2.6)
    parts = plots.architecture(ax, depth=20)
    assert len(parts["layers"]) == 20
    colours = [p.get_facecolor() for p in parts["layers"]]
    assert len(set(colours[:-1])) == 1 and colours[-1] != colours[0]  # the last layer differs
    words = " ".join(t.get_text() for t in parts["texts"])
    assert "ILR" in words and "residual" in words and "+" in words and "19 x" in words
    fig.canvas.draw()
    box = fig.bbox
    for t in parts["texts"]:  # no label is cut off by the figure's edge
        e = t.get_window_extent()
        assert box.x0 <= e.x0 and e.x1 <= box.x1 and box.y0 <= e.y0 and e.y1 <= box.y1, t.get_text()
    (x0, y0), (x1, y1) = parts["skip"]._posA_posB
    assert x0 < parts["layers"][0].get_x() and x1 > parts["layers"][-1].get_x()  # it bypasses them
    assert len(plots.architecture(plots.panels(1)[1], depth=5)["layers"]) == 5
    with pytest.raises(ValueError, match="at least 2"):
        plots.architecture(ax, depth=1)
