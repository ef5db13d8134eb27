/*
 * vdsr_web.js - the page "Upscale in your browser" (book/11_browser.ipynb): a reader picks an image
 * (or a bundled sample), a scale, presses Upscale, and gets bicubic vs VDSR in the book's swipe
 * comparison, with the result as a PNG to download. Nothing is fetched from outside the book.
 *
 * The work happens in a Web Worker (vdsr_worker.js) running TensorFlow.js (WebGL on a real GPU,
 * WASM otherwise) on the shipped weights (vdsr20_x234.safetensors); this file only checks the
 * input, talks to the worker and shows the result, so the page stays responsive.
 *
 * Contract for tests (tests/test_web.py):
 *   window.vdsrWeb.upscale(imageData, scale[, options]) -> Promise<ImageData> (RGBA, alpha 255)
 *     options: {tile: 512, onProgress(done, total), bicubic: false (resolve {vdsr, bicubic})}
 *   window.vdsrWeb.ready() -> Promise<{backend, layers, loadMs}>
 *   controls: #vdsr-web-file (file input), #vdsr-web-scale (scale), #vdsr-web-result (result),
 *   #vdsr-web-go (the button), #vdsr-web-status (messages; class "vdsr-web-error" on errors).
 * Markup: <div id="vdsr-web"></div> followed by <script src=".../vdsr_web/vdsr_web.js">.
 */
(function () {
  "use strict";
  const script = document.currentScript;
  const BASE = new URL(".", script.src).href;              // .../vdsr_web/
  const params = new URLSearchParams(location.search);

  // Limits: the input is decoded in this tab, the output is held as three float planes and
  // an RGBA image; at ~20 microseconds per output pixel (WASM, one thread) 4 Mpx is ~1.5 min.
  const LIMITS = { inputPixels: 1000000, outputPixels: 4194304, fileBytes: 50e6 };
  const SCALES = [2, 3, 4];
  // Output pixels per tile side. Measured (scripts/bench_web.py, 512 x 512 output, x2): one
  // 512-px tile took about half the time of four 256-px tiles, more than their 20% of extra
  // overlap pixels explains. One layer's activations of a 560-px tile (with its overlap) are
  // about 80 MB of float32.
  const TILE = 512;
  let msPerPixel = 0.08;           // a guess (one busy laptop core, WASM); measured after each run

  // -- the worker ------------------------------------------------------------------------
  let worker = null, readyPromise = null, nextId = 1;
  const jobs = new Map();                                  // id -> {resolve, reject, onProgress}

  function failAll(message) {
    for (const job of jobs.values()) job.reject(new Error(message));
    jobs.clear();
  }

  function ready() {
    if (readyPromise) return readyPromise;
    readyPromise = new Promise((resolve, reject) => {
      if (location.protocol === "file:") {
        reject(new Error("this page must be served over http(s), not opened as a file: run " +
                         "`python -m http.server` in the folder that holds the book's " +
                         "index.html and open it at http://127.0.0.1:8000/"));
        return;
      }
      if (typeof Worker === "undefined" || typeof WebAssembly === "undefined") {
        reject(new Error("this browser has no Web Workers or WebAssembly"));
        return;
      }
      worker = new Worker(BASE + "vdsr_worker.js");
      worker.onmessage = (event) => {
        const msg = event.data, job = jobs.get(msg.id);
        if (msg.type === "ready") resolve(msg);
        else if (msg.type === "error" && msg.id === undefined) reject(new Error(msg.message));
        else if (msg.type === "error" && job) { jobs.delete(msg.id); job.reject(new Error(msg.message)); }
        else if (msg.type === "progress" && job && job.onProgress) job.onProgress(msg.done, msg.total, msg.stage);
        else if (msg.type === "result" && job) { jobs.delete(msg.id); job.resolve(msg); }
      };
      worker.onerror = (event) => {
        const message = "the upscaling worker failed: " + (event.message || "script error");
        event.preventDefault();
        failAll(message);
        reject(new Error(message));
      };
      worker.postMessage({ type: "init", base: BASE, backend: params.get("backend") || "auto" });
    });
    return readyPromise;
  }

  /** Why (imageWidth x imageHeight, scale) cannot be upscaled here, or null if it can. */
  function sizeProblem(width, height, scale) {
    if (!SCALES.includes(scale)) return `scale must be one of ${SCALES.join(", ")}, got ${scale}`;
    if (width < 2 || height < 2) {
      return `the image is ${width} x ${height} pixels: too small to upscale (need at least 2 x 2)`;
    }
    if (width * height > LIMITS.inputPixels) {
      return `the image is ${width} x ${height} = ${(width * height / 1e6).toFixed(1)} megapixels; ` +
             `the limit here is ${(LIMITS.inputPixels / 1e6).toFixed(1)}. Crop or shrink it first.`;
    }
    const out = width * height * scale * scale;
    if (out > LIMITS.outputPixels) {
      return `x${scale} would make ${width * scale} x ${height * scale} = ${(out / 1e6).toFixed(1)} ` +
             `megapixels; the limit here is ${(LIMITS.outputPixels / 1e6).toFixed(1)} (about ` +
             `${Math.round(LIMITS.outputPixels * msPerPixel / 1000 / 60)} min). Choose a smaller ` +
             "scale, or crop the image.";
    }
    return null;
  }

  /**
   * Upscale an ImageData by `scale` as vdsr_lib.upscale does; resolves an ImageData (or, with
   * options.bicubic, {vdsr, bicubic, png, ms, backend}).
   */
  async function upscale(imageData, scale, options = {}) {
    scale = Number(scale);
    const problem = sizeProblem(imageData.width, imageData.height, scale);
    if (problem) throw new Error(problem);
    await ready();
    const id = nextId++;
    const rgba = new Uint8ClampedArray(imageData.data);    // a copy: the caller keeps its image
    const result = await new Promise((resolve, reject) => {
      jobs.set(id, { resolve, reject, onProgress: options.onProgress });
      worker.postMessage({ type: "upscale", id, rgba: rgba.buffer, width: imageData.width,
                           height: imageData.height, scale, png: !!options.png,
                           tile: options.tile === undefined ? TILE : options.tile }, [rgba.buffer]);
    });
    msPerPixel = result.ms / (result.width * result.height);
    const vdsr = new ImageData(new Uint8ClampedArray(result.vdsr), result.width, result.height);
    if (!options.bicubic) return vdsr;
    const bicubic = new ImageData(new Uint8ClampedArray(result.bicubic), result.width, result.height);
    return { vdsr, bicubic, png: result.png, ms: result.ms, backend: result.backend };
  }

  // -- reading a file: check the header before decoding anything --------------------------

  /** {format, width, height, truncated} from the first bytes of an image file, or null. */
  function sniff(bytes) {
    const n = bytes.length, be16 = (i) => (bytes[i] << 8) | bytes[i + 1];
    const be32 = (i) => ((bytes[i] << 24) >>> 0) + (bytes[i + 1] << 16) + (bytes[i + 2] << 8) + bytes[i + 3];
    const le16 = (i) => bytes[i] | (bytes[i + 1] << 8);
    const le24 = (i) => bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16);
    const le32 = (i) => (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16)) + bytes[i + 3] * 16777216;
    const ascii = (i, k) => String.fromCharCode(...bytes.subarray(i, i + k));
    const tail = (k) => ascii(Math.max(0, n - k), Math.min(k, n));
    if (n >= 24 && bytes[0] === 0x89 && ascii(1, 3) === "PNG" && ascii(12, 4) === "IHDR") {
      return { format: "PNG", width: be32(16), height: be32(20), truncated: !tail(16).includes("IEND") };
    }
    if (n >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {          // JPEG: find a SOF segment
      let i = 2, size = null;
      while (i + 9 < n && bytes[i] === 0xff) {
        const marker = bytes[i + 1];
        if (marker === 0xff) { i++; continue; }                     // fill byte
        if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
          size = { width: be16(i + 7), height: be16(i + 5) };
          break;
        }
        i += 2 + be16(i + 2);
      }
      let end = n;                                                  // EOI, maybe before padding
      while (end > 2 && bytes[end - 1] === 0) end--;
      const eoi = bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9;
      return size ? { format: "JPEG", ...size, truncated: !eoi } : { format: "JPEG", truncated: true };
    }
    if (n >= 10 && ascii(0, 4) === "GIF8") {
      return { format: "GIF", width: le16(6), height: le16(8), truncated: bytes[n - 1] !== 0x3b };
    }
    if (n >= 26 && ascii(0, 2) === "BM") {
      return { format: "BMP", width: Math.abs(le32(18) | 0), height: Math.abs(le32(22) | 0),
               truncated: le32(2) > n };
    }
    if (n >= 30 && ascii(0, 4) === "RIFF" && ascii(8, 4) === "WEBP") {
      const chunk = ascii(12, 4), truncated = le32(4) + 8 > n;
      if (chunk === "VP8 ") return { format: "WebP", width: le16(26) & 0x3fff, height: le16(28) & 0x3fff, truncated };
      if (chunk === "VP8L") {
        const b = bytes.subarray(21, 25);
        return { format: "WebP", width: 1 + (((b[1] & 0x3f) << 8) | b[0]),
                 height: 1 + (((b[3] & 0xf) << 10) | (b[2] << 2) | ((b[1] & 0xc0) >> 6)), truncated };
      }
      if (chunk === "VP8X") return { format: "WebP", width: 1 + le24(24), height: 1 + le24(27), truncated };
      return { format: "WebP", truncated };
    }
    return null;
  }

  /** A File (or Blob with a name) -> ImageData, or an Error whose message the page shows. */
  async function readImage(file) {
    const name = file.name ? `"${file.name}"` : "the file";
    if (!file.size) throw new Error(`${name} is empty (0 bytes)`);
    if (file.size > LIMITS.fileBytes) {
      throw new Error(`${name} is ${(file.size / 1e6).toFixed(0)} MB; the limit here is ` +
                      `${LIMITS.fileBytes / 1e6} MB`);
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const info = sniff(bytes);
    if (!info) {
      throw new Error(`${name} is not an image file this page can read (use PNG, JPEG, GIF, BMP ` +
                      "or WebP)");
    }
    if (info.width !== undefined) {                         // the size first: never decode a huge one
      const problem = sizeProblem(info.width, info.height, 2);
      if (problem && !problem.startsWith("x2")) throw new Error(`${name}: ${problem}`);
    }
    if (info.truncated) {
      throw new Error(`${name} looks truncated: the ${info.format} file ends before its last ` +
                      "part (was the download or copy complete?)");
    }
    let bitmap;
    try {
      bitmap = await createImageBitmap(new Blob([bytes]), { premultiplyAlpha: "none",
                                                          colorSpaceConversion: "none" });
    } catch (err) {
      throw new Error(`${name} could not be decoded as ${info.format} (the file is damaged or ` +
                      "uses a variant this browser cannot read)");
    }
    const { width, height } = bitmap;
    const problem = sizeProblem(width, height, 2);
    if (problem && !problem.startsWith("x2")) { bitmap.close(); throw new Error(`${name}: ${problem}`); }
    const canvas = document.createElement("canvas");
    canvas.width = width; canvas.height = height;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.fillStyle = "#fff";                                // transparency over white, as read_image
    ctx.fillRect(0, 0, width, height);
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    return ctx.getImageData(0, 0, width, height);
  }

  // -- showing the result ---------------------------------------------------------------

  function toBlob(imageData) {
    const canvas = document.createElement("canvas");
    canvas.width = imageData.width; canvas.height = imageData.height;
    canvas.getContext("2d").putImageData(imageData, 0, 0);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  }

  /**
   * Show `before` and `after` in the book's own swipe comparison (vdsr_lib.compare.swipe): the
   * page carries one made by Python (.vdsr-web-template); we copy its markup, put our images in,
   * and run its script again for the copy. Without a template: the two images side by side.
   */
  function showSwipe(target, beforeUrl, afterUrl, width, height, labels) {
    const template = document.querySelector(".vdsr-web-template .vc-swipe");
    const code = template && template.nextElementSibling;
    const shown = Math.min(width, 720), shownH = Math.round(height * shown / width);
    if (!template || !code || code.tagName !== "SCRIPT") {
      target.innerHTML = "";
      [[beforeUrl, labels[0]], [afterUrl, labels[1]]].forEach(([url, label]) => {
        const fig = document.createElement("figure"), img = new Image(), cap = document.createElement("figcaption");
        img.src = url; img.width = shown; img.height = shownH; img.alt = label; cap.textContent = label;
        fig.append(img, cap); target.append(fig);
      });
      return;
    }
    const root = template.cloneNode(true);
    delete root.dataset.ready;
    root.dataset.pos = "50.0";
    root.classList.toggle("vc-px", width <= 360);          // pixelated only when magnified
    const frame = root.querySelector(".vc-frame");
    frame.style.width = `${width <= 360 ? 2 * width : shown}px`;
    frame.setAttribute("aria-label", `${labels[0]} | ${labels[1]}: drag to compare`);
    const a = root.querySelector("img.vc-a"), b = root.querySelector("img.vc-b");
    a.src = beforeUrl; a.alt = labels[0]; a.style.clipPath = "inset(0 50% 0 0)";
    b.src = afterUrl; b.alt = labels[1]; b.width = width; b.height = height;
    root.querySelector(".vc-handle").style.left = "50%";
    root.querySelector(".vc-tag-l").textContent = labels[0];
    root.querySelector(".vc-tag-r").textContent = labels[1];
    root.querySelectorAll(".vc-caps").forEach((el) => el.remove());
    const run = document.createElement("script");
    run.textContent = code.textContent;                     // the swipe's own script, for the copy
    target.innerHTML = "";
    target.append(root, run);
  }

  // -- the page's controls ----------------------------------------------------------------

  function build(container) {
    container.classList.add("vdsr-web");
    container.innerHTML = `
      <style>
        .vdsr-web .vw-row{display:flex;flex-wrap:wrap;gap:.6em;align-items:center;margin:.4em 0}
        .vdsr-web button{font:inherit;padding:2px 12px;border:1px solid #8a8a8a;border-radius:4px;
          background:transparent;color:inherit;cursor:pointer}
        .vdsr-web button.vw-primary{background:#1f6feb;border-color:#1f6feb;color:#fff}
        .vdsr-web button:disabled{opacity:.5;cursor:default}
        .vdsr-web progress{width:min(420px,100%)}
        .vdsr-web .vdsr-web-error{color:#c62828}
        .vdsr-web #vdsr-web-result{margin-top:.6em}
      </style>
      <div class="vw-row">
        <label>Image <input type="file" id="vdsr-web-file" accept="image/*"></label>
        <span class="vw-samples"></span>
      </div>
      <div class="vw-row">
        <label>Scale <select id="vdsr-web-scale">
          ${SCALES.map((s) => `<option value="${s}">x${s}</option>`).join("")}</select></label>
        <button type="button" id="vdsr-web-go" class="vw-primary" disabled>Upscale</button>
        <progress id="vdsr-web-progress" max="1" value="0"></progress>
      </div>
      <div id="vdsr-web-status" role="status" aria-live="polite">Loading the network ...</div>
      <div id="vdsr-web-result"></div>`;
    const $ = (sel) => container.querySelector(sel);
    const fileInput = $("#vdsr-web-file"), scaleSel = $("#vdsr-web-scale"), go = $("#vdsr-web-go");
    const bar = $("#vdsr-web-progress"), status = $("#vdsr-web-status"), result = $("#vdsr-web-result");
    let image = null, imageName = "image", busy = false, backend = "?";

    function say(text, error = false) {
      status.textContent = text;
      status.classList.toggle("vdsr-web-error", error);
    }
    function estimate() {
      if (!image) return "";
      const scale = Number(scaleSel.value), problem = sizeProblem(image.width, image.height, scale);
      if (problem) return { error: problem };
      const out = image.width * image.height * scale * scale;
      const s = Math.max(1, Math.round(out * msPerPixel / 1000));
      return { text: `${image.width} x ${image.height} -> ${image.width * scale} x ${image.height * scale}: ` +
                     `expect about ${s} s on this computer (${backend}).` };
    }
    function enable() {
      const e = estimate();
      go.disabled = busy || !image || !!e.error;
      return e;
    }
    function refresh() {
      const e = enable();
      if (!busy && image) say(e.error || `Loaded ${imageName}. ${e.text} Press Upscale.`, !!e.error);
    }
    async function load(file, name) {
      image = null; result.innerHTML = ""; bar.value = 0; refresh();
      try {
        image = await readImage(file);
        imageName = name;
        refresh();
      } catch (err) {
        say(err.message, true);
      }
    }

    fileInput.addEventListener("change", () => {
      const file = fileInput.files && fileInput.files[0];
      if (file) load(file, file.name);
    });
    scaleSel.addEventListener("change", refresh);
    // Bundled samples: buttons with data-src (data: URIs) that the page's Python cell wrote.
    document.querySelectorAll(".vdsr-web-samples [data-src]").forEach((el) => {
      const button = document.createElement("button");
      button.type = "button"; button.textContent = el.dataset.name || "sample";
      button.addEventListener("click", async () => {
        const blob = await (await fetch(el.dataset.src)).blob();
        load(blob, (el.dataset.name || "sample") + ".png");
      });
      $(".vw-samples").append(button);
    });
    if ($(".vw-samples").children.length) $(".vw-samples").prepend("or a sample: ");

    go.addEventListener("click", async () => {
      if (!image || busy) return;
      const scale = Number(scaleSel.value), t0 = performance.now();
      busy = true; refresh(); bar.value = 0; result.innerHTML = "";
      say(`Upscaling x${scale} ... ${estimate().text || ""}`);
      try {
        const out = await upscale(image, scale, {
          bicubic: true, png: true,
          onProgress: (done, total, stage) => {
            bar.max = total; bar.value = done;
            if (stage === "network") say(`Upscaling x${scale}: tile ${done} of ${total} done ...`);
          } });
        const stem = imageName.replace(/\.[^.]*$/, "") || "image";
        const png = out.png || await toBlob(out.vdsr);
        const urls = [URL.createObjectURL(await toBlob(out.bicubic)), URL.createObjectURL(png)];
        showSwipe(result, urls[0], urls[1], out.vdsr.width, out.vdsr.height, ["bicubic", `VDSR x${scale}`]);
        const link = document.createElement("a");
        link.id = "vdsr-web-download"; link.href = urls[1]; link.download = `${stem}_x${scale}.png`;
        link.textContent = `Download ${link.download} (${(png.size / 1e6).toFixed(1)} MB, ` +
                           `${out.vdsr.width} x ${out.vdsr.height})`;
        result.prepend(link);
        say(`Done in ${((performance.now() - t0) / 1000).toFixed(1)} s (${out.backend}): drag across ` +
            "the image to compare bicubic (left) with VDSR (right).");
      } catch (err) {
        say(`Could not upscale ${imageName}: ${err.message}`, true);
      } finally {
        busy = false; enable();                              // keep the message just shown
      }
    });

    ready().then((info) => {
      backend = info.backend === "wasm" ? "WASM, one thread" : info.backend;
      if (!image) say(`The network is loaded (${backend}). Choose an image file or a sample.`);
      refresh();
    }, (err) => say(`The network could not be loaded: ${err.message}`, true));
  }

  window.vdsrWeb = { upscale, ready, readImage, sniff, sizeProblem, limits: LIMITS, base: BASE };
  const container = document.getElementById("vdsr-web");
  if (container) build(container);
})();
