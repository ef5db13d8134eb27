"""Peak memory of tiled inference: a 4000x3000 RGB image upscaled x2 (prints peak RSS in MB).

Memory of tiled inference depends on the tile size and the width (64 channels), not on the depth
(inference keeps only the current layer's activations), so a shallow random network keeps this
quick on a CPU: `python scripts/bench_memory.py [--depth 20]`.
"""
from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
import torch

from vdsr_lib import VDSR, upscale

parser = argparse.ArgumentParser()
parser.add_argument("--depth", type=int, default=3)
parser.add_argument("--width", type=int, default=4000)
parser.add_argument("--height", type=int, default=3000)
parser.add_argument("--tile", type=int, default=512)
args = parser.parse_args()

image = np.random.default_rng(0).integers(0, 256, (args.height, args.width, 3), dtype=np.uint8)
model = VDSR(args.depth).eval()
model.scales = (2, 3, 4)
torch.set_grad_enabled(False)
t = time.perf_counter()
out = upscale(image, 2, model, tile=args.tile)
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"input": f"{args.width}x{args.height}", "output": f"{out.shape[1]}x{out.shape[0]}",
                  "depth": args.depth, "tile": args.tile, "seconds": round(time.perf_counter() - t, 1),
                  "peak_rss_mb": round(peak_mb)}))
