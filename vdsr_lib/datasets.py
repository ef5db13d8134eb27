"""Where the images come from: a local folder, a checksummed download, or an offline fallback.

The data folder is laid out like the project's ``shared/data``: ``Set5/``, ``Set14/``, ``B100/``,
``Urban100/``, ``Urban100-half/``, ``T91/``, ``BSD200/`` and ``matlab_lr/<Set>/x<s>/``. It is found,
in this order, from

1. an explicit ``root`` argument,
2. the environment variable ``VDSR_DATA``,
3. the download cache (``pooch.os_cache('vdsr')``, or ``VDSR_CACHE``), filled on demand from the
   public sources in ``registry.txt`` and verified by SHA-256 (bytes and decoded pixels).

With no network, :func:`load_dataset` falls back to the small photos that scikit-image installs,
clearly labelled, so every chapter still runs (its numbers are then not benchmark numbers).
"""
from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

__all__ = ["BENCHMARKS", "TRAIN_291", "Dataset", "data_root", "load_image", "load_dataset",
           "download", "pixel_sha256", "registry"]

BENCHMARKS = ("Set5", "Set14", "B100", "Urban100", "Urban100-half")
TRAIN_291 = ("T91", "BSD200")
_FOLDERS = BENCHMARKS + TRAIN_291 + ("matlab_lr",)
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")

# Offline stand-ins (scikit-image's bundled photos): disjoint test and training sets.
_FALLBACK_TEST = ("astronaut", "camera", "chelsea", "coffee", "rocket")
_FALLBACK_TRAIN = ("immunohistochemistry", "hubble_deep_field", "brick", "grass", "gravel", "moon",
                   "coins", "text", "page", "colorwheel")


@dataclass
class Dataset:
    """A named list of images (uint8, H x W x 3 or H x W) and where they came from."""

    name: str
    names: list[str]
    images: list[np.ndarray]
    source: str
    is_fallback: bool = False
    paths: list[Path] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.images)

    def __iter__(self):
        return iter(zip(self.names, self.images))


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as uint8: H x W x 3 (RGB) or H x W (gray).

    Palette and alpha images are converted to RGB (transparency composited over white), 16-bit
    images are scaled to 8 bits. Unreadable or truncated files, images over Pillow's size limit
    (``PIL.Image.MAX_IMAGE_PIXELS``, a guard against decompression bombs) and images too large for
    the memory raise ``ValueError`` with the path.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no image file at {path}")
    try:
        with Image.open(path) as im:
            im.load()
            return pil_to_array(im)
    except Image.DecompressionBombError as err:
        raise ValueError(f"{path} is larger than Pillow's safety limit for images ({err}); if you trust the "
                         f"file, raise PIL.Image.MAX_IMAGE_PIXELS, or shrink the image first") from err
    except MemoryError as err:
        raise ValueError(f"{path} is too large to decode in the memory available; shrink or crop it "
                         f"first") from err
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise ValueError(f"cannot read {path} as an image ({err}); is it a complete image file (PNG, JPEG, BMP, TIFF or WebP)?") from err


def pil_to_array(im: Image.Image) -> np.ndarray:
    """Convert any Pillow image to uint8 RGB (or gray for single-channel images).

    Transparency is composited over white (what a browser shows on a white page): the colour a
    file stores under fully transparent pixels is arbitrary, often black.
    """
    if im.mode in ("RGBA", "RGBa", "LA", "La", "PA") or (im.mode == "P" and "transparency" in im.info):
        gray = im.mode in ("LA", "La")
        im = Image.alpha_composite(Image.new("RGBA", im.size, (255, 255, 255, 255)), im.convert("RGBA"))
        im = im.convert("L" if gray else "RGB")
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.float64)
        peak = 65535.0 if arr.max() > 255 else 255.0
        return np.clip(np.round(arr / peak * 255.0), 0, 255).astype(np.uint8)
    if im.mode == "F":
        arr = np.asarray(im, dtype=np.float64)
        return np.clip(np.round(arr * (255.0 if arr.max() <= 1.0 else 1.0)), 0, 255).astype(np.uint8)
    if im.mode in ("L", "1"):
        return np.asarray(im.convert("L"), dtype=np.uint8)
    return np.asarray(im.convert("RGB"), dtype=np.uint8)


def pixel_sha256(path: str | os.PathLike) -> str:
    """SHA-256 of an image's decoded pixels (shape and uint8 values): format-independent."""
    arr = load_image(path)
    h = hashlib.sha256(str(arr.shape).encode())
    h.update(np.ascontiguousarray(arr).tobytes())
    return h.hexdigest()


def registry() -> dict[str, tuple[str, str, str]]:
    """``{relative path: (url, bytes sha256 or '-', pixels sha256)}`` from ``registry.txt``."""
    rows = {}
    for line in (Path(__file__).with_name("registry.txt")).read_text().splitlines():
        if line and not line.startswith("#"):
            rel, url, sha, pix = line.split("\t")
            rows[rel] = (url, sha, pix)
    return rows


def _cache_dir() -> Path:
    if os.environ.get("VDSR_CACHE"):
        return Path(os.environ["VDSR_CACHE"])
    import pooch

    return Path(pooch.os_cache("vdsr"))


def data_root(root: str | os.PathLike | None = None) -> Path | None:
    """The data folder: ``root``, else ``$VDSR_DATA``, else the download cache if it holds data."""
    if root is not None or os.environ.get("VDSR_DATA"):
        path = Path(root if root is not None else os.environ["VDSR_DATA"]).expanduser()
        if not path.is_dir():
            origin = "root argument" if root is not None else "VDSR_DATA"
            raise FileNotFoundError(f"{origin} points to {path}, which is not a folder; set it to a "
                                    f"folder laid out like shared/data (Set5/, Set14/, ...) or unset it")
        return path
    cache = _cache_dir()
    return cache if any(_complete(cache, f) for f in _FOLDERS) else None


def _complete(base: Path, name: str) -> bool:
    """Whether ``base/name`` holds every file the registry lists for ``name`` (an interrupted
    download leaves a partial folder, which must not pass for the dataset)."""
    expected = [rel for rel in registry() if rel.split("/", 1)[0] == name]
    return bool(expected) and all((base / rel).is_file() for rel in expected)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)


def download(name: str, root: str | os.PathLike | None = None, progress: bool = False) -> Path:
    """Fetch dataset ``name`` (e.g. ``"Set5"``, ``"matlab_lr"``) into ``root`` (default: the cache).

    Each file is verified against ``registry.txt`` (the SHA-256 of its bytes where it is a byte
    copy, and always of its decoded pixels); upstream JPEG/BMP files are converted to PNG.
    """
    import pooch

    if name not in _FOLDERS:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(_FOLDERS)}")
    root = Path(root) if root is not None else _cache_dir()
    entries = {rel: v for rel, v in registry().items() if rel.split("/", 1)[0] == name}
    for rel, (url, sha, pix) in entries.items():
        target = root / rel
        if target.is_file() and pixel_sha256(target) == pix:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fetched = Path(pooch.retrieve(url, known_hash=None if sha == "-" else f"sha256:{sha}",
                                      path=root / ".downloads", progressbar=progress,
                                      downloader=pooch.HTTPDownloader(timeout=60, progressbar=progress)))
        if sha == "-":  # converted upstream format (JPEG/BMP -> lossless PNG)
            try:
                Image.fromarray(load_image(fetched)).save(target)
            except ValueError:
                fetched.unlink()  # unhashed downloads are reused by pooch: never keep a bad one
                raise
        else:
            target.write_bytes(fetched.read_bytes())
        if pixel_sha256(target) != pix:
            target.unlink()
            fetched.unlink(missing_ok=True)  # so that a retry downloads it afresh
            raise ValueError(f"{rel}: the downloaded pixels do not match the registry; the source "
                             f"{url} changed. Get the data another way and point VDSR_DATA at it.")
    return root


def _looked_in(root: str | os.PathLike | None, explicit: bool) -> str:
    """Where :func:`load_dataset` looks for data, for error messages."""
    if root is not None:
        return f"{Path(root).expanduser()} (the data folder given)"
    if explicit:
        return f"{Path(os.environ['VDSR_DATA']).expanduser()} ($VDSR_DATA)"
    return f"the download cache {_cache_dir()} ($VDSR_DATA is not set)"


def _fallback(name: str, limit: int | None = None) -> Dataset:
    import skimage.data

    names = (_FALLBACK_TRAIN if name in TRAIN_291 or name == "291" else _FALLBACK_TEST)[:limit]
    images = [np.asarray(getattr(skimage.data, n)(), dtype=np.uint8) for n in names]
    return Dataset(f"{name} (offline stand-in: scikit-image photos)", list(names), images,
                   source="scikit-image bundled photos (not the benchmark set)", is_fallback=True)


def load_dataset(name: str, root: str | os.PathLike | None = None, download_missing: bool | None = None,
                 fallback: bool = True, limit: int | None = None) -> Dataset:
    """Load a benchmark or training set by folder name (``"291"`` = ``T91`` + ``BSD200``).

    If the folder is missing it is downloaded (unless ``download_missing=False`` or
    ``VDSR_DOWNLOAD=0``); if that fails and ``fallback`` is true, scikit-image's photos stand in,
    with a warning, ``is_fallback=True`` and a name that says so; with ``fallback=False`` it is a
    ``FileNotFoundError`` that says where the data was looked for. ``limit`` keeps the first ``limit`` images.
    """
    if name == "291":
        parts = []
        for n in TRAIN_291:  # with a limit, only the images that are kept are read
            left = None if limit is None else limit - sum(len(p) for p in parts)
            if left is None or left > 0:
                parts.append(load_dataset(n, root, download_missing, fallback, left))
        if any(p.is_fallback for p in parts):
            return _fallback("291", limit)
        ds = Dataset("291", [n for p in parts for n in p.names], [im for p in parts for im in p.images],
                     source=parts[0].source, paths=[f for p in parts for f in p.paths])
    else:
        if name not in _FOLDERS:
            raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(_FOLDERS + ('291',))}")
        base = data_root(root)
        explicit = root is not None or bool(os.environ.get("VDSR_DATA"))
        if download_missing is None:
            download_missing = os.environ.get("VDSR_DOWNLOAD", "1") != "0"
        present = base is not None and ((base / name).is_dir() if explicit else _complete(base, name))
        failed = ""
        if not present and download_missing:
            try:
                base = download(name, base if explicit else None)
                present = True
            except Exception as err:  # offline, or a source moved
                failed = f"; downloading it failed ({type(err).__name__}: {err})"
                if fallback:
                    warnings.warn(f"could not download {name} ({type(err).__name__}: {err}); using "
                                  f"scikit-image's photos instead. Set VDSR_DATA to a data folder.")
                    return _fallback(name, limit)
        if not present:
            if fallback:
                warnings.warn(f"no {name} folder found (set VDSR_DATA); using scikit-image's photos instead")
                return _fallback(name, limit)
            off = "" if download_missing else "; downloads are off (VDSR_DOWNLOAD=0)"
            raise FileNotFoundError(f"no {name} folder: looked in {_looked_in(root, explicit)}{failed or off}. "
                                    f"Set VDSR_DATA (or --data) to a folder laid out like shared/data "
                                    f"(Set5/, Set14/, B100/, Urban100/, T91/, BSD200/)")
        paths = _files(base / name)[:limit]  # read only the images that are kept
        if not paths:
            raise FileNotFoundError(f"{base / name} holds no images ({', '.join(_IMAGE_SUFFIXES)}); "
                                    f"point VDSR_DATA at a folder laid out like shared/data")
        ds = Dataset(name, [p.stem for p in paths], [load_image(p) for p in paths],
                     source=str(base / name), paths=paths)
    if limit is not None:
        ds.names, ds.images, ds.paths = ds.names[:limit], ds.images[:limit], ds.paths[:limit]
    return ds
