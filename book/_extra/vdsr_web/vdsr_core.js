/*
 * vdsr_core.js - the numerics of vdsr_lib.upscale, in plain JavaScript (no dependencies).
 *
 * Loaded by the page (vdsr_web.js, for tests), by the worker (vdsr_worker.js, which does the
 * work) and by Node. Each function mirrors one Python function; tests/test_web.py checks them
 * against vdsr_lib on fixtures that Python generates, so the two stay the same:
 *
 *   rgb2ycbcr / ycbcr2rgb  <->  vdsr_lib.color   (MATLAB's BT.601 studio-swing matrices)
 *   resizeWeights / imresize  <->  vdsr_lib.imresize (MATLAB's bicubic kernel, edges clamped)
 *   tiles                  <->  vdsr_lib.inference.predict_y (tiles with real-context overlap)
 *   toUint8                <->  np.clip(np.floor(x * 255 + 0.5), 0, 255)
 *   parseSafetensors       <->  the safetensors file format (fp16 or fp32 tensors)
 *
 * Python computes in float64 and stores the colour planes as float32; so does this file
 * (JavaScript numbers are float64; Float32Array stores round to float32 as numpy's astype does).
 */
(function (root, factory) {
  const api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;  // Node
  else root.vdsrCore = api;                                                 // page or worker
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // MATLAB's rgb2ycbcr: ycbcr = (OFFSET + M * rgb) / 255 with rgb in [0, 1] (vdsr_lib.color._M).
  const M = [[65.481, 128.553, 24.966],
             [-37.797, -74.203, 112.0],
             [112.0, -93.786, -18.214]];
  const OFFSET = [16.0, 128.0, 128.0];

  /** Inverse of a 3 x 3 matrix (cofactors / determinant), in float64. */
  function inverse3(m) {
    const [a, b, c] = m[0], [d, e, f] = m[1], [g, h, i] = m[2];
    const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
    const det = a * A + b * B + c * C;
    return [[A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
            [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
            [C / det, -(a * h - b * g) / det, (a * e - b * d) / det]];
  }
  const MINV = inverse3(M);

  /**
   * RGBA bytes (ImageData.data) -> three Float32Array planes Y, Cb, Cr in [0, 1].
   * Alpha is ignored (the page composites transparency over white before this).
   */
  function rgb2ycbcr(rgba, width, height) {
    const n = width * height;
    const planes = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    for (let p = 0; p < n; p++) {
      const r = rgba[4 * p] / 255, g = rgba[4 * p + 1] / 255, b = rgba[4 * p + 2] / 255;
      for (let c = 0; c < 3; c++) {
        planes[c][p] = (r * M[c][0] + g * M[c][1] + b * M[c][2] + OFFSET[c]) / 255;
      }
    }
    return planes;
  }

  /** One value as Python's np.clip(np.floor(v * 255 + 0.5), 0, 255).astype(np.uint8). */
  function toUint8(v) {
    const q = Math.floor(v * 255 + 0.5);
    return q < 0 ? 0 : q > 255 ? 255 : q;
  }

  /**
   * Three float planes (Y, Cb, Cr in [0, 1]) -> RGBA bytes with alpha 255, rounded as Python:
   * rgb = (ycbcr * 255 - OFFSET) @ inv(M).T, then toUint8.
   */
  function ycbcr2rgba(planes, width, height) {
    const n = width * height;
    const out = new Uint8ClampedArray(4 * n);
    const [Y, Cb, Cr] = planes;
    for (let p = 0; p < n; p++) {
      const y = Y[p] * 255 - OFFSET[0], cb = Cb[p] * 255 - OFFSET[1], cr = Cr[p] * 255 - OFFSET[2];
      for (let c = 0; c < 3; c++) {
        out[4 * p + c] = toUint8(y * MINV[c][0] + cb * MINV[c][1] + cr * MINV[c][2]);
      }
      out[4 * p + 3] = 255;
    }
    return out;
  }

  /** Keys' cubic kernel, a = -0.5 (MATLAB's cubic). */
  function cubic(x) {
    const ax = Math.abs(x), ax2 = ax * ax, ax3 = ax2 * ax;
    if (ax <= 1) return 1.5 * ax3 - 2.5 * ax2 + 1.0;
    if (ax <= 2) return -0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0;
    return 0;
  }

  /**
   * Resize weights along one axis, as vdsr_lib.imresize.resize_weights (MATLAB's contributions):
   * output i (1-based) samples the input at u = i / scale + 0.5 * (1 - 1 / scale); indices beyond
   * the border are clamped (the edge pixel repeats). Upscaling only (scale >= 1, no antialias).
   * Returns {taps, index: Int32Array(outLen * taps), weight: Float64Array(outLen * taps)}.
   */
  function resizeWeights(inLen, outLen, scale) {
    if (scale < 1) throw new Error("resizeWeights: only upscaling is implemented here");
    const width = 4.0, taps = Math.ceil(width) + 2;
    const index = new Int32Array(outLen * taps), weight = new Float64Array(outLen * taps);
    for (let i = 0; i < outLen; i++) {
      const u = (i + 1) / scale + 0.5 * (1.0 - 1.0 / scale);
      const left = Math.floor(u - width / 2.0);
      let sum = 0;
      for (let k = 0; k < taps; k++) {
        const w = cubic(u - (left + k));
        weight[i * taps + k] = w;
        sum += w;
      }
      for (let k = 0; k < taps; k++) {
        weight[i * taps + k] /= sum;
        index[i * taps + k] = Math.min(Math.max(left + k, 1), inLen) - 1;
      }
    }
    return { taps, index, weight };
  }

  /**
   * MATLAB-bicubic resize of one float plane (h x w, row-major) to outH x outW, as
   * vdsr_lib.imresize.imresize(plane, output_shape=(outH, outW)) followed by .astype(float32):
   * the height axis first (MATLAB's order for equal scales), float64 in between.
   */
  function imresize(plane, h, w, outH, outW) {
    const sy = outH / h, sx = outW / w;
    if (sy > sx) throw new Error("imresize: the height's scale must not exceed the width's");
    const wy = resizeWeights(h, outH, sy), wx = resizeWeights(w, outW, sx);
    const mid = new Float64Array(outH * w);           // pass 1: along the height
    for (let i = 0; i < outH; i++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let k = 0; k < wy.taps; k++) {
          s += wy.weight[i * wy.taps + k] * plane[wy.index[i * wy.taps + k] * w + x];
        }
        mid[i * w + x] = s;
      }
    }
    const out = new Float32Array(outH * outW);        // pass 2: along the width
    for (let y = 0; y < outH; y++) {
      for (let j = 0; j < outW; j++) {
        let s = 0;
        for (let k = 0; k < wx.taps; k++) {
          s += wx.weight[j * wx.taps + k] * mid[y * w + wx.index[j * wx.taps + k]];
        }
        out[y * outW + j] = s;
      }
    }
    return out;
  }

  /**
   * The tiles of vdsr_lib.inference.predict_y: tile x tile blocks, each read with `overlap`
   * pixels of real context on every side (clamped at the image), whose centre is kept.
   * tile = null (or an image no larger than one tile): one block, the whole image.
   */
  function tiles(h, w, tile, overlap) {
    if (!tile || (h <= tile && w <= tile)) {
      return [{ y0: 0, x0: 0, y1: h, x1: w, a0: 0, b0: 0, a1: h, b1: w }];
    }
    const out = [];
    for (let y0 = 0; y0 < h; y0 += tile) {
      for (let x0 = 0; x0 < w; x0 += tile) {
        const y1 = Math.min(y0 + tile, h), x1 = Math.min(x0 + tile, w);
        out.push({ y0, x0, y1, x1,
                   a0: Math.max(y0 - overlap, 0), b0: Math.max(x0 - overlap, 0),
                   a1: Math.min(y1 + overlap, h), b1: Math.min(x1 + overlap, w) });
      }
    }
    return out;
  }

  /** IEEE half -> float (exact). */
  function halfToFloat(hbits) {
    const s = hbits & 0x8000 ? -1 : 1, e = (hbits >> 10) & 0x1f, f = hbits & 0x3ff;
    if (e === 0) return s * f * Math.pow(2, -24);                 // subnormal (or zero)
    if (e === 31) return f ? NaN : s * Infinity;
    return s * (1 + f / 1024) * Math.pow(2, e - 15);
  }

  /**
   * A .safetensors file (ArrayBuffer) -> {metadata, tensors: {name: {shape, data: Float32Array}}}.
   * Format: 8-byte little-endian header length, a JSON header, then the raw little-endian data.
   */
  function parseSafetensors(buffer) {
    if (buffer.byteLength < 8) throw new Error("weights file too short");
    const view = new DataView(buffer);
    const n = Number(view.getBigUint64(0, true));
    if (n <= 0 || 8 + n > buffer.byteLength) throw new Error("weights file: bad header length");
    const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, n)));
    const tensors = {};
    for (const [name, info] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const [begin, end] = info.data_offsets, start = 8 + n + begin, count = (end - begin);
      const size = info.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      if (info.dtype === "F16") {
        if (count !== 2 * size) throw new Error(`weights file: ${name} has the wrong size`);
        const dv = new DataView(buffer, start, count);
        for (let i = 0; i < size; i++) data[i] = halfToFloat(dv.getUint16(2 * i, true));
      } else if (info.dtype === "F32") {
        if (count !== 4 * size) throw new Error(`weights file: ${name} has the wrong size`);
        const dv = new DataView(buffer, start, count);
        for (let i = 0; i < size; i++) data[i] = dv.getFloat32(4 * i, true);
      } else {
        throw new Error(`weights file: ${name} is ${info.dtype}; only F16 and F32 are supported`);
      }
      tensors[name] = { shape: info.shape, data };
    }
    return { metadata: header.__metadata__ || {}, tensors };
  }

  /**
   * The VDSR layers of a vdsr_lib checkpoint (body.0, body.2, ..., tail), in order, with the
   * torch filters [out, in, 3, 3] reordered to TensorFlow's [3, 3, in, out].
   */
  function vdsrLayers(tensors) {
    const names = Object.keys(tensors).filter((k) => k.endsWith(".weight"))
      .map((k) => k.slice(0, -".weight".length));
    const body = names.filter((k) => k.startsWith("body."))
      .sort((a, b) => Number(a.split(".")[1]) - Number(b.split(".")[1]));
    if (!names.includes("tail") || !body.length) throw new Error("not a VDSR checkpoint");
    return body.concat(["tail"]).map((name) => {
      const { shape, data } = tensors[name + ".weight"];
      const [O, I, KH, KW] = shape;
      const filter = new Float32Array(data.length);
      for (let o = 0; o < O; o++) for (let i = 0; i < I; i++)
        for (let y = 0; y < KH; y++) for (let x = 0; x < KW; x++)
          filter[((y * KW + x) * I + i) * O + o] = data[((o * I + i) * KH + y) * KW + x];
      return { name, shape: [KH, KW, I, O], filter, bias: tensors[name + ".bias"].data };
    });
  }

  return { M, OFFSET, MINV, rgb2ycbcr, ycbcr2rgba, toUint8, cubic, resizeWeights, imresize,
           tiles, halfToFloat, parseSafetensors, vdsrLayers };
});
