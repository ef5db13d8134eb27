"""Write vdsr_lib/registry.txt: for every image of the data folder, its public source URL, the
SHA-256 of the downloaded bytes (where the file is a byte copy of the upstream one, else '-') and
the SHA-256 of its decoded pixels (checked after every download, also after format conversion).

Usage: python scripts/make_registry.py /path/to/data   (a folder laid out like ../shared/data)
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

from vdsr_lib.datasets import pixel_sha256

GH = "https://raw.githubusercontent.com/"
DENOISE = GH + "majedelhelou/denoising_datasets/58234876fef6f1b56306705c78dfd40cdb837b86/"
BSDS = GH + "BIDS/BSDS500/a04b7c6c3a9f0ace74bf205c72a43d32e1c72722/BSDS500/data/images/"
SELFEX = GH + "jbhuang0604/SelfExSR/8f6dd8c1d20cb7e8792a7177b4f6fd677633f598/data/"
DCSCN = GH + "jiny2001/dcscn-super-resolution/d382bc30d41c94ac72f8cb148d61cc4864b3b380/data/"


def source(rel: str, set5_14_order: dict[str, list[str]]) -> tuple[str, bool]:
    """Upstream URL of ``rel`` and whether the local file is a byte copy of it."""
    folder, name = rel.split("/", 1)
    stem = Path(name).stem
    if folder in ("Set5", "Set14"):
        return f"{DENOISE}C{folder}/{name}", True
    if folder == "B100":
        return f"{BSDS}val/{stem}.jpg", False
    if folder == "BSD200":
        return f"{BSDS}train/{name}", True
    if folder == "T91":
        return f"{DCSCN}yang91/{stem}.bmp", False
    if folder == "Urban100":
        return f"{SELFEX}Urban100/image_SRF_4/{stem}_SRF_4_HR.png", True
    if folder == "Urban100-half":
        return f"{SELFEX}Urban100/image_SRF_2/{stem}_SRF_2_HR.png", True
    if folder == "matlab_lr":
        dataset, xs, fname = name.split("/")
        s = xs[1:]
        idx = set5_14_order[dataset].index(Path(fname).stem) + 1  # SelfExSR numbers them by name
        return f"{SELFEX}{dataset}/image_SRF_{s}/img_{idx:03d}_SRF_{s}_LR.png", True
    raise ValueError(rel)


def main(root: Path) -> None:
    sums = dict(reversed(line.split(None, 1)) for line in (root / "SHA256SUMS").read_text().splitlines())
    sums = {k.strip(): v for k, v in sums.items()}
    order = {d: sorted(p.stem for p in (root / d).glob("*.png")) for d in ("Set5", "Set14")}
    rows = []
    for rel in sorted(sums):
        if not rel.lower().endswith((".png", ".jpg", ".jpeg", ".bmp")):
            continue
        url, byte_copy = source(rel, order)
        rows.append((rel, url, sums[rel] if byte_copy else "-", pixel_sha256(root / rel)))
    out = Path(__file__).resolve().parents[1] / "vdsr_lib" / "registry.txt"
    with out.open("w", newline="") as f:
        f.write("# path\turl\tsha256 of the bytes ('-': converted from the upstream format)\tsha256 of the pixels\n")
        csv.writer(f, delimiter="\t", lineterminator="\n").writerows(rows)
    print(f"wrote {len(rows)} entries to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
