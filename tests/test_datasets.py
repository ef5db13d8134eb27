"""Tests for vdsr_lib.datasets: where data is found, image decoding, the offline fallback, the
checksummed downloader (against a local HTTP server) and the registry file."""
from __future__ import annotations

import hashlib
import http.server
import io
import re
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import need_data
from vdsr_lib import datasets
from vdsr_lib.datasets import data_root, download, load_dataset, load_image, pixel_sha256, registry


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No VDSR_DATA, an empty download cache, no downloads."""
    monkeypatch.delenv("VDSR_DATA", raising=False)
    monkeypatch.setenv("VDSR_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("VDSR_DOWNLOAD", "0")
    return tmp_path


def _rgb(h: int = 12, w: int = 16, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _save(path: Path, arr: np.ndarray, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path, **kw)
    return path


# --- data_root -------------------------------------------------------------------------------

def test_data_root_precedence(clean_env, monkeypatch):
    arg, env, cache = (clean_env / n for n in ("arg", "env", "cache"))
    for d in (arg, env):
        d.mkdir(parents=True)
    _fill_cache(cache, "Set5")
    monkeypatch.setenv("VDSR_DATA", str(env))
    assert data_root(arg) == arg                  # 1. the argument
    assert data_root(str(arg)) == arg
    assert data_root() == env                     # 2. VDSR_DATA
    monkeypatch.delenv("VDSR_DATA")
    assert data_root() == cache                   # 3. the cache, if it holds a data folder
    monkeypatch.setenv("VDSR_DATA", "")           # empty counts as unset
    assert data_root() == cache


def _fill_cache(cache: Path, name: str) -> None:
    """Stand-in files for every registry entry of ``name`` (only their presence is checked)."""
    for rel in datasets.registry():
        if rel.split("/", 1)[0] == name:
            (cache / rel).parent.mkdir(parents=True, exist_ok=True)
            (cache / rel).write_bytes(b"")


def test_data_root_empty_cache_is_none(clean_env):
    (clean_env / "cache" / "unrelated").mkdir(parents=True)
    assert data_root() is None


def test_partial_cache_does_not_count(clean_env):
    """An interrupted download leaves an empty or partial folder: it is not the dataset."""
    cache = clean_env / "cache"
    (cache / "Set5").mkdir(parents=True)
    assert data_root() is None
    with pytest.warns(UserWarning, match="no Set5 folder found"):
        assert load_dataset("Set5").is_fallback
    _fill_cache(cache, "Set5")
    next((cache / "Set5").iterdir()).unlink()
    assert data_root() is None


def test_empty_explicit_folder_is_a_clear_error(clean_env):
    (clean_env / "data" / "Set5").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="holds no images"):
        load_dataset("Set5", root=clean_env / "data")


def test_vdsr_data_not_a_folder(clean_env, monkeypatch):
    f = clean_env / "a_file.txt"
    f.write_text("not a folder")
    monkeypatch.setenv("VDSR_DATA", str(f))
    with pytest.raises(FileNotFoundError, match="VDSR_DATA points to .*a_file.txt, which is not a folder"):
        data_root()
    monkeypatch.setenv("VDSR_DATA", str(clean_env / "missing"))
    with pytest.raises(FileNotFoundError, match="VDSR_DATA"):
        load_dataset("Set5")
    with pytest.raises(FileNotFoundError, match="root argument"):
        data_root(clean_env / "missing")


# --- load_image ------------------------------------------------------------------------------

def test_load_rgb_png_and_jpeg(tmp_path):
    rgb = _rgb()
    np.testing.assert_array_equal(load_image(_save(tmp_path / "a.png", rgb)), rgb)
    jpg = load_image(_save(tmp_path / "a.jpg", rgb, quality=95))
    assert jpg.shape == rgb.shape and jpg.dtype == np.uint8


def test_load_rgba_composites_over_white(tmp_path):
    rgba = np.dstack([_rgb(), np.zeros((12, 16), np.uint8)])  # fully transparent ...
    rgba[0, 0, 3] = 255                                          # ... but one opaque pixel
    out = load_image(_save(tmp_path / "a.png", rgba))
    assert out.shape == (12, 16, 3) and out.dtype == np.uint8
    np.testing.assert_array_equal(out[0, 0], rgba[0, 0, :3])
    assert (out.reshape(-1, 3)[1:] == 255).all()
    la = np.dstack([_rgb()[..., 0], np.full((12, 16), 255, np.uint8)])  # gray + opaque alpha
    np.testing.assert_array_equal(load_image(_save(tmp_path / "la.png", la)), la[..., 0])
    from vdsr_lib.compare import read_image  # uploads use the same rule
    np.testing.assert_array_equal(read_image((tmp_path / "a.png").read_bytes()), out)


def test_load_palette(tmp_path):
    im = Image.new("P", (5, 4))
    im.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (256 * 3 - 9))
    im.putdata([0, 1, 2, 1, 0] * 4)
    im.save(tmp_path / "p.png")
    with Image.open(tmp_path / "p.png") as check:
        assert check.mode == "P"
    out = load_image(tmp_path / "p.png")
    assert out.shape == (4, 5, 3)
    np.testing.assert_array_equal(out[0, :3], [[255, 0, 0], [0, 255, 0], [0, 0, 255]])


def test_load_16bit(tmp_path):
    arr = np.array([[0, 257, 32768, 65535]], dtype=np.uint16).repeat(3, 0)
    Image.fromarray(arr).save(tmp_path / "g16.png")
    with Image.open(tmp_path / "g16.png") as check:
        assert check.mode in ("I;16", "I")
    out = load_image(tmp_path / "g16.png")
    assert out.dtype == np.uint8 and out.shape == (3, 4)
    np.testing.assert_array_equal(out[0], [0, 1, 128, 255])


def test_load_gray_and_bilevel(tmp_path):
    gray = _rgb()[..., 0]
    out = load_image(_save(tmp_path / "g.png", gray))
    assert out.shape == gray.shape
    np.testing.assert_array_equal(out, gray)
    Image.fromarray(gray).convert("LA").save(tmp_path / "la.png")
    np.testing.assert_array_equal(load_image(tmp_path / "la.png"), gray)
    Image.fromarray(gray > 127).save(tmp_path / "b.png")  # mode "1"
    np.testing.assert_array_equal(load_image(tmp_path / "b.png"), np.where(gray > 127, 255, 0))


def test_load_float_tiff(tmp_path):
    arr = np.array([[0.0, 0.5, 1.0]], dtype=np.float32)
    Image.fromarray(arr).save(tmp_path / "f.tif")
    np.testing.assert_array_equal(load_image(tmp_path / "f.tif"), [[0, 128, 255]])


def test_truncated_file(tmp_path):
    data = io.BytesIO()
    Image.fromarray(_rgb(64, 64)).save(data, format="PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(data.getvalue()[: len(data.getvalue()) // 2])
    with pytest.raises(ValueError, match=r"cannot read .*cut\.png.*complete"):
        load_image(path)


def test_non_image_file(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("this is not an image\n")
    with pytest.raises(ValueError, match="cannot read"):
        load_image(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no image file"):
        load_image(tmp_path / "nothing.png")
    with pytest.raises(FileNotFoundError):
        load_image(tmp_path)  # a folder is not an image file


def test_pixel_sha256_is_format_independent(tmp_path):
    rgb = _rgb()
    a = pixel_sha256(_save(tmp_path / "a.png", rgb))
    b = pixel_sha256(_save(tmp_path / "a.bmp", rgb))
    assert a == b and re.fullmatch(r"[0-9a-f]{64}", a)
    # same bytes, other shape: another hash
    assert pixel_sha256(_save(tmp_path / "c.png", rgb.reshape(16, 12, 3))) != a


# --- load_dataset ----------------------------------------------------------------------------

def test_load_dataset_from_folder(clean_env):
    root = clean_env / "data"
    _save(root / "Set5" / "b.png", _rgb(seed=2))
    _save(root / "Set5" / "a.png", _rgb(seed=1))
    (root / "Set5" / "README.txt").write_text("ignored")
    ds = load_dataset("Set5", root=root)
    assert ds.names == ["a", "b"] and len(ds) == 2 and not ds.is_fallback
    assert ds.source == str(root / "Set5") and [p.name for p in ds.paths] == ["a.png", "b.png"]
    np.testing.assert_array_equal(dict(ds)["a"], _rgb(seed=1))
    small = load_dataset("Set5", root=root, limit=1)
    assert small.names == ["a"] and len(small.images) == len(small.paths) == 1


def test_load_dataset_291(clean_env):
    root = clean_env / "data"
    _save(root / "T91" / "t1.png", _rgb(seed=1))
    _save(root / "BSD200" / "100.jpg", _rgb(seed=2))
    ds = load_dataset("291", root=root)
    assert ds.names == ["t1", "100"] and ds.name == "291" and not ds.is_fallback


def test_load_dataset_unknown_name(clean_env):
    with pytest.raises(ValueError, match="unknown dataset 'Set6'"):
        load_dataset("Set6")


def test_fallback_when_no_data(clean_env):
    with pytest.warns(UserWarning, match="no Set5 folder found"):
        ds = load_dataset("Set5")
    assert ds.is_fallback and "offline stand-in" in ds.name
    assert ds.names == list(datasets._FALLBACK_TEST)
    assert all(im.dtype == np.uint8 for im in ds.images)
    with pytest.warns(UserWarning):
        train = load_dataset("291", limit=3)  # the limit holds for the stand-in too
    assert train.is_fallback and len(train) == 3 and not set(train.names) & set(ds.names)
    with pytest.raises(FileNotFoundError, match="no Set5 folder"):
        load_dataset("Set5", fallback=False)


def test_fallback_when_download_fails(clean_env, monkeypatch):
    monkeypatch.setenv("VDSR_DOWNLOAD", "1")

    def offline(name, root=None, progress=False):
        raise OSError("network is unreachable")

    monkeypatch.setattr(datasets, "download", offline)
    with pytest.warns(UserWarning, match="could not download Set14 .*unreachable"):
        ds = load_dataset("Set14", limit=2)
    assert ds.is_fallback and len(ds) == 2
    with pytest.raises(OSError):
        load_dataset("Set14", fallback=False)


def test_missing_folder_is_downloaded_into_vdsr_data(clean_env, monkeypatch):
    env = clean_env / "env"
    env.mkdir()
    monkeypatch.setenv("VDSR_DATA", str(env))
    calls = []

    def fake_download(name, root=None, progress=False):
        calls.append((name, root))
        root = Path(root) if root is not None else clean_env / "cache"
        _save(root / name / "x.png", _rgb())
        return root

    monkeypatch.setattr(datasets, "download", fake_download)
    ds = load_dataset("Set5", download_missing=True)
    assert calls == [("Set5", env)] and ds.names == ["x"]
    calls.clear()
    monkeypatch.delenv("VDSR_DATA")
    assert load_dataset("Set14", download_missing=True).source == str(clean_env / "cache" / "Set14")
    assert calls == [("Set14", None)]  # no VDSR_DATA: into the cache (download's default)


# --- download against a local server -----------------------------------------------------------

class _Server:
    def __init__(self, root: Path) -> None:
        hits = self.hits = []

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(root), **kw)

            def do_GET(self):
                hits.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A tiny upstream: one PNG (byte copy) and one JPEG (converted to PNG) for Set5, one for Set14."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    up = tmp_path / "upstream"
    png = _save(up / "x" / "bird.png", _rgb(20, 24, seed=5))
    jpg = _save(up / "y" / "head.jpg", _rgb(16, 16, seed=6), quality=90)
    other = _save(up / "z" / "face.png", _rgb(8, 8, seed=7))
    srv = _Server(up)
    entries = {
        "Set5/bird.png": (f"{srv.url}/x/bird.png", hashlib.sha256(png.read_bytes()).hexdigest(), pixel_sha256(png)),
        "Set5/head.png": (f"{srv.url}/y/head.jpg", "-", pixel_sha256(jpg)),
        "Set14/face.png": (f"{srv.url}/z/face.png", hashlib.sha256(other.read_bytes()).hexdigest(),
                           pixel_sha256(other)),
    }
    monkeypatch.setattr(datasets, "registry", lambda: dict(entries))
    srv.upstream, srv.entries = up, entries
    yield srv
    srv.close()


def test_download_fetches_and_verifies(server, tmp_path):
    root = tmp_path / "data"
    assert download("Set5", root=root) == root
    bird, head = root / "Set5" / "bird.png", root / "Set5" / "head.png"
    assert bird.read_bytes() == (server.upstream / "x" / "bird.png").read_bytes()  # byte copy
    assert head.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # the JPEG became a lossless PNG
    np.testing.assert_array_equal(load_image(head), load_image(server.upstream / "y" / "head.jpg"))
    assert not (root / "Set14").exists()  # only the requested set
    assert sorted(server.hits) == ["/x/bird.png", "/y/head.jpg"]
    # already there and verified: nothing is fetched again
    download("Set5", root=root)
    assert len(server.hits) == 2
    ds = load_dataset("Set5", root=root)
    assert ds.names == ["bird", "head"] and not ds.is_fallback


def test_download_into_cache_by_default(server, clean_env):
    base = load_dataset("Set14", download_missing=True, fallback=False)
    assert base.source == str(clean_env / "cache" / "Set14") and base.names == ["face"]
    assert data_root() == clean_env / "cache"


def test_download_rejects_corrupt_byte_copy(server, tmp_path):
    (server.upstream / "x" / "bird.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    with pytest.raises(ValueError, match="(?i)hash"):
        download("Set5", root=tmp_path / "data")
    assert not (tmp_path / "data" / "Set5" / "bird.png").exists()


def test_download_rejects_changed_converted_file(server, tmp_path):
    _save(server.upstream / "y" / "head.jpg", _rgb(16, 16, seed=99), quality=90)  # upstream changed
    root = tmp_path / "data"
    with pytest.raises(ValueError, match="Set5/head.png: the downloaded pixels do not match the registry"):
        download("Set5", root=root)
    assert not (root / "Set5" / "head.png").exists()
    assert (root / "Set5" / "bird.png").exists()  # the good file before it was kept
    # once upstream is right again, a retry fetches it afresh (the bad copy is not reused)
    _save(server.upstream / "y" / "head.jpg", _rgb(16, 16, seed=6), quality=90)
    download("Set5", root=root)
    assert pixel_sha256(root / "Set5" / "head.png") == server.entries["Set5/head.png"][2]


def test_download_rejects_truncated_converted_file(server, tmp_path):
    jpg = server.upstream / "y" / "head.jpg"
    jpg.write_bytes(jpg.read_bytes()[:100])
    with pytest.raises(ValueError, match="cannot read"):
        download("Set5", root=tmp_path / "data")
    assert not (tmp_path / "data" / "Set5" / "head.png").exists()


def test_download_unknown_name(tmp_path):
    with pytest.raises(ValueError, match="unknown dataset"):
        download("ImageNet", root=tmp_path)


# --- the registry file -------------------------------------------------------------------------

def test_registry_file():
    reg = registry()
    assert len(reg) == 667
    folders = {rel.split("/", 1)[0] for rel in reg}
    assert folders == set(datasets._FOLDERS)
    counts = {f: sum(rel.startswith(f + "/") for rel in reg) for f in folders}
    assert counts == {"Set5": 5, "Set14": 14, "B100": 100, "Urban100": 100, "Urban100-half": 100,
                      "T91": 91, "BSD200": 200, "matlab_lr": 57}
    for rel, (url, sha, pix) in reg.items():
        assert url.startswith("https://"), rel
        assert sha == "-" or re.fullmatch(r"[0-9a-f]{64}", sha), rel
        assert re.fullmatch(r"[0-9a-f]{64}", pix), rel
        assert Path(rel).suffix.lower() in datasets._IMAGE_SUFFIXES, rel
        # converted entries are exactly the sets stored as PNG from another format (B100, T91)
        assert (sha == "-") == (rel.split("/")[0] in ("B100", "T91")), rel


def test_registry_matches_data_folder(data_dir):
    """Every registry file is in VDSR_DATA with the same bytes (SHA256SUMS); Set5's pixels match."""
    root = data_dir
    sums_file = root / "SHA256SUMS"
    if not sums_file.is_file():
        pytest.skip("VDSR_DATA has no SHA256SUMS file")
    sums = {}
    for line in sums_file.read_text().splitlines():
        digest, rel = line.split(maxsplit=1)
        sums[rel.lstrip("*").removeprefix("./")] = digest
    reg = registry()
    missing = [rel for rel in reg if not (root / rel).is_file()]
    assert not missing, missing[:5]
    for rel, (_, sha, _) in reg.items():
        if sha != "-":
            assert sums.get(rel) == sha, rel
    for rel in (r for r in reg if r.startswith("Set5/")):
        assert pixel_sha256(root / rel) == reg[rel][2], rel


def test_291_with_a_limit_reads_only_the_images_it_keeps(data_dir, monkeypatch):
    """load_dataset("291", limit=N) is the first N of T91 + BSD200, reading N images, not 291 (a tiny
    training run spent 2.2 s of its start-up reading them all)."""
    need_data("T91", "BSD200")
    reads = []
    real = datasets.load_image
    monkeypatch.setattr(datasets, "load_image", lambda p: reads.append(p) or real(p))
    whole_names = [p.stem for p in sorted((data_dir / "T91").iterdir())] + \
        [p.stem for p in sorted((data_dir / "BSD200").iterdir())]
    for n in (3, 93):
        reads.clear()
        ds = load_dataset("291", limit=n)
        assert ds.names == whole_names[:n] and len(ds.images) == len(ds.paths) == n
        assert len(reads) == n


def test_load_image_turns_bombs_and_memory_errors_into_one_message(tmp_path, monkeypatch):
    path = tmp_path / "a.png"
    Image.new("RGB", (80, 80)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(ValueError, match=r"a\.png is larger than Pillow's safety limit"):
        load_image(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)

    def no_memory(*_a, **_k):
        raise MemoryError

    monkeypatch.setattr(Image.Image, "load", no_memory)
    with pytest.raises(ValueError, match=r"a\.png is too large to decode"):
        load_image(path)
