#!/usr/bin/env bash
# Fetch the TensorFlow.js runtime that the book page "Upscale in your browser" (book/11_browser.ipynb)
# runs the shipped VDSR on, into book/_extra/vdsr_web/tfjs/, so that the built book needs no CDN.
# The files are committed; run this only to change the version (then run tests/test_web.py).
#
# Why TensorFlow.js (WASM backend, plus WebGL where the browser has a GPU): its core, WASM backend
# and SIMD .wasm are ~870 KB (~255 KB gzipped) and its conv2d matched torch to ~1e-7, where
# onnxruntime-web's WASM file alone is 14 MB. The threaded .wasm is not fetched: threads need a
# cross-origin-isolated page (COOP/COEP headers), which a static book host does not send; the
# page turns them off. The non-SIMD .wasm is not fetched either: every current browser has WASM
# SIMD, and the page says so clearly where one does not.
set -euo pipefail
VERSION=${TFJS_VERSION:-4.22.0}
cd "$(dirname "$0")/.."
dest=book/_extra/vdsr_web/tfjs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for pkg in tfjs-core tfjs-backend-wasm tfjs-backend-webgl; do
  mkdir -p "$tmp/$pkg"
  (cd "$tmp/$pkg" && npm pack --silent "@tensorflow/$pkg@$VERSION" >/dev/null && tar xzf ./*.tgz)
done
mkdir -p "$dest"
rm -f "$dest"/*.js "$dest"/*.wasm
cp "$tmp/tfjs-core/package/dist/tf-core.min.js" "$dest/"
cp "$tmp/tfjs-backend-wasm/package/dist/tf-backend-wasm.min.js" \
   "$tmp/tfjs-backend-wasm/package/dist/tfjs-backend-wasm-simd.wasm" "$dest/"
cp "$tmp/tfjs-backend-webgl/package/dist/tf-backend-webgl.min.js" "$dest/"
echo "$VERSION" > "$dest/VERSION"
(cd "$dest" && sha256sum tf-core.min.js tf-backend-wasm.min.js tfjs-backend-wasm-simd.wasm \
   tf-backend-webgl.min.js > SHA256SUMS)
echo "@tensorflow/tfjs-core, tfjs-backend-wasm, tfjs-backend-webgl @$VERSION -> $dest"
cat "$dest/SHA256SUMS"
