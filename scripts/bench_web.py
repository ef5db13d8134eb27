"""Benchmark the in-browser VDSR (book/_extra/vdsr_web/) against vdsr_lib.upscale, one thread each.

    .venv/bin/python scripts/bench_web.py [--size 256] [--scale 2] [--repeat 2] [--tile 512]

Serves book/_extra/vdsr_web/ from 127.0.0.1, opens it in headless Chromium (Debian's, through
Playwright, every other host refused), upscales a size x size crop of a photo with
window.vdsrWeb.upscale (the WASM backend runs on one thread: the page is not cross-origin
isolated) and with vdsr_lib.upscale under torch.set_num_threads(1); prints the times, the
agreement between the two (max difference, share within one grey level, PSNR) and the bytes the
runtime adds to the page (raw and gzipped). The last line is all of it as JSON.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

RUNTIME = ["tfjs/tf-core.min.js", "tfjs/tf-backend-wasm.min.js", "tfjs/tfjs-backend-wasm-simd.wasm"]
PAGE = ["vdsr_web.js", "vdsr_worker.js", "vdsr_core.js"]
WEIGHTS = ["vdsr20_x234.safetensors"]
BENCH = ROOT / "book" / "_extra" / "vdsr_web" / "bench.json"


def weight(names: list[str]) -> dict:
    web = ROOT / "book" / "_extra" / "vdsr_web"
    data = [(web / n).read_bytes() for n in names]
    return {"bytes": sum(map(len, data)), "gzip": sum(len(gzip.compress(d, 9)) for d in data)}


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform

    return platform.processor() or platform.machine()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--scale", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2, help="timed runs of each (best is reported)")
    ap.add_argument("--tile", type=int, default=512, help="browser tile side (0: whole image)")
    ap.add_argument("--write", action="store_true",
                    help=f"also write the JSON to {BENCH.relative_to(ROOT)} (the book page's note "
                         "reads it)")
    args = ap.parse_args()

    import torch

    import test_web as T  # the test's server, page and helpers
    from vdsr_lib.inference import upscale
    from vdsr_lib.pretrained import load_pretrained

    crop = T.photo(args.size, args.size, 128, 128)
    torch.set_num_threads(1)
    model = load_pretrained()
    upscale(crop[:32, :32], args.scale, model=model)  # warm-up
    torch_s = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        want = upscale(crop, args.scale, model=model)
        torch_s.append(time.perf_counter() - t0)
    print(f"torch (1 thread): {args.size}x{args.size} x{args.scale}: best {min(torch_s):.2f} s "
          f"of {args.repeat}")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "vdsr_web").symlink_to(T.WEB, target_is_directory=True)
        (root / "book").mkdir()
        (root / "book" / "page.html").write_text(T.page_html(), encoding="utf-8")
        server = T.Server(root)
        try:
            with T.sync_api.sync_playwright() as p:
                browser = p.chromium.launch(executable_path=T.CHROMIUM, args=T.LAUNCH_ARGS)
                try:
                    page = T.Page(browser, server.url + "book/page.html")
                    t0 = time.perf_counter()
                    info = page.page.evaluate("window.vdsrWeb.ready()")
                    load_s = time.perf_counter() - t0
                    print(f"browser: backend {info['backend']}, runtime + weights loaded in {load_s:.2f} s")
                    browser_s = []
                    for _ in range(args.repeat):
                        t0 = time.perf_counter()
                        got = T.browser_upscale(page.page, crop, args.scale, args.tile or None)
                        browser_s.append(time.perf_counter() - t0)
                        print(f"browser: {args.size}x{args.size} x{args.scale}: {browser_s[-1]:.2f} s")
                    offsite = list(page.offsite)
                    page.close()
                finally:
                    browser.close()
        finally:
            server.close()

    stats = T.agreement(got, want)
    ratio = min(browser_s) / min(torch_s)
    sizes = {"runtime": weight(RUNTIME), "page_js": weight(PAGE), "weights": weight(WEIGHTS)}
    print(f"agreement: max difference {stats['max']}, within one grey level {stats['within1']:.4%}, "
          f"PSNR browser vs Python {stats['psnr']:.1f} dB")
    print(f"browser / torch: {ratio:.2f}x (goal: within 2x)")
    for k, v in sizes.items():
        print(f"{k}: {v['bytes']:,} bytes, {v['gzip']:,} gzipped")
    result = {"size": args.size, "scale": args.scale, "tile": args.tile,
              "backend": info["backend"], "load_s": round(load_s, 3),
              "browser_s": [round(s, 3) for s in browser_s],
              "torch_s": [round(s, 3) for s in torch_s], "ratio": round(ratio, 3),
              "max_diff": stats["max"], "within1": stats["within1"],
              "psnr": None if stats["psnr"] == float("inf") else round(stats["psnr"], 2),
              "offsite_requests": len(offsite), "page_weight": sizes,
              "cpu": cpu_name(), "date": time.strftime("%Y-%m-%d")}
    if args.write:
        BENCH.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
