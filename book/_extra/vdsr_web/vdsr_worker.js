/*
 * vdsr_worker.js - runs vdsr_lib.upscale's pipeline in a Web Worker, so the page never freezes.
 *
 * Messages in (from vdsr_web.js):
 *   {type: "init", base, backend}        load TensorFlow.js and the shipped weights
 *   {type: "upscale", id, rgba, width, height, scale, tile}
 * Messages out:
 *   {type: "ready", backend, layers, loadMs}   or {type: "error", id, message}
 *   {type: "progress", id, done, total, stage}
 *   {type: "result", id, width, height, vdsr, bicubic, png, ms}   (RGBA buffers, a PNG Blob)
 *
 * The pipeline, as vdsr_lib.inference.upscale: MATLAB rgb2ycbcr; MATLAB-bicubic upscaling of Y, Cb
 * and Cr; the network on Y in tiles with overlap (predict_y), clipped to [0, 1]; back to RGB and
 * rounded as Python rounds. The bicubic result is the same without the network.
 */
/* global importScripts, tf, vdsrCore, OffscreenCanvas */
"use strict";

let model = null;        // {layers: [{filter: tf.Tensor4D, bias: tf.Tensor1D}], depth}
let backendName = null;

/** Pick a backend: WebGL on a real GPU with float32 textures, else WASM (SIMD, one thread). */
async function chooseBackend(base, wanted) {
  if (wanted !== "wasm" && typeof OffscreenCanvas !== "undefined") {
    try {
      const gl = new OffscreenCanvas(1, 1).getContext("webgl2");
      const info = gl && gl.getExtension("WEBGL_debug_renderer_info");
      const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "";
      // A software rasteriser (SwiftShader, llvmpipe) is much slower than WASM: skip it.
      const software = /swiftshader|llvmpipe|software|basic render/i.test(renderer);
      if (gl && (!software || wanted === "webgl")) {
        importScripts(base + "tfjs/tf-backend-webgl.min.js");
        if (await tf.setBackend("webgl") && tf.env().getBool("WEBGL_RENDER_FLOAT32_ENABLED")) {
          return "webgl";
        }
      }
    } catch (err) {
      // no WebGL in this worker: fall through to WASM
    }
  }
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);   // threads need COOP/COEP headers
  // A folder, not a map (a map must name all three binaries); only the SIMD one is shipped.
  tf.wasm.setWasmPaths(base + "tfjs/");
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  if (!simd) {
    throw new Error("this browser's WebAssembly has no SIMD support, which the page needs " +
                    "(any Chrome, Edge or Firefox since 2021, Safari since 16.4 has it)");
  }
  if (!(await tf.setBackend("wasm"))) throw new Error("TensorFlow.js could not start its WASM backend");
  return "wasm";
}

async function init(base, wanted) {
  const t0 = performance.now();
  importScripts(base + "tfjs/tf-core.min.js", base + "tfjs/tf-backend-wasm.min.js",
                base + "vdsr_core.js");
  backendName = await chooseBackend(base, wanted);
  await tf.ready();
  const response = await fetch(base + "vdsr20_x234.safetensors");
  if (!response.ok) throw new Error(`could not load the weights (HTTP ${response.status})`);
  const { tensors } = vdsrCore.parseSafetensors(await response.arrayBuffer());
  const layers = vdsrCore.vdsrLayers(tensors).map((l) => ({
    filter: tf.tensor4d(l.filter, l.shape), bias: tf.tensor1d(l.bias) }));
  model = { layers, depth: layers.length };
  return { backend: backendName, layers: layers.length, loadMs: performance.now() - t0 };
}

/** The network on one block of Y (Float32Array, h x w): returns the clipped output block. */
function runNetwork(block, h, w) {
  return tf.tidy(() => {
    const x = tf.tensor4d(block, [1, h, w, 1]);
    let y = x;
    model.layers.forEach((layer, i) => {
      const last = i === model.layers.length - 1;
      y = tf.fused.conv2d({ x: y, filter: layer.filter, strides: 1, pad: "same", bias: layer.bias,
                            activation: last ? "linear" : "relu" });
    });
    return tf.clipByValue(tf.add(x, y), 0, 1).dataSync();   // residual: ILR + predicted residual
  });
}

/** predict_y: the network on the whole Y plane, tile by tile. */
function predictY(ilr, h, w, tile, report) {
  const overlap = model.depth + 4;                         // as predict_y: depth + 4
  const plan = vdsrCore.tiles(h, w, tile, overlap);
  const out = new Float32Array(h * w);
  plan.forEach((t, k) => {
    const bh = t.a1 - t.a0, bw = t.b1 - t.b0, block = new Float32Array(bh * bw);
    for (let y = 0; y < bh; y++) block.set(ilr.subarray((t.a0 + y) * w + t.b0, (t.a0 + y) * w + t.b1), y * bw);
    const res = runNetwork(block, bh, bw);
    for (let y = t.y0; y < t.y1; y++) {
      for (let x = t.x0; x < t.x1; x++) out[y * w + x] = res[(y - t.a0) * bw + (x - t.b0)];
    }
    report(k + 1, plan.length);
  });
  return out;
}

async function encodePng(rgba, width, height) {
  if (typeof OffscreenCanvas === "undefined") return null;  // the page encodes it instead
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext("2d").putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas.convertToBlob({ type: "image/png" });
}

async function upscale(msg) {
  const { id, width, height, scale } = msg;
  const t0 = performance.now();
  const outH = height * scale, outW = width * scale;
  const report = (done, total, stage) => postMessage({ type: "progress", id, done, total, stage });
  report(0, 1, "bicubic");
  const planes = vdsrCore.rgb2ycbcr(new Uint8ClampedArray(msg.rgba), width, height)
    .map((p) => vdsrCore.imresize(p, height, width, outH, outW));
  const bicubic = vdsrCore.ycbcr2rgba(planes, outW, outH);
  planes[0] = predictY(planes[0], outH, outW, msg.tile, (d, t) => report(d, t, "network"));
  const vdsr = vdsrCore.ycbcr2rgba(planes, outW, outH);
  const ms = performance.now() - t0;
  const png = msg.png ? await encodePng(vdsr, outW, outH) : null;
  postMessage({ type: "result", id, width: outW, height: outH, vdsr: vdsr.buffer,
                bicubic: bicubic.buffer, png, ms, backend: backendName },
              [vdsr.buffer, bicubic.buffer]);
}

self.onmessage = async (event) => {
  const msg = event.data;
  try {
    if (msg.type === "init") postMessage({ type: "ready", ...(await init(msg.base, msg.backend)) });
    else if (msg.type === "upscale") await upscale(msg);
  } catch (err) {
    postMessage({ type: "error", id: msg.id, message: String((err && err.message) || err) });
  }
};
