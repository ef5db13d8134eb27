#!/usr/bin/env bash
# Fetch MathJax 3 (the combined TeX + MathML -> CommonHTML component and its fonts) into
# book/_extra/_mathjax/, so that the built book renders its equations with no CDN. The files are
# committed; run this only to change the version.
#
# _config.yml sets Sphinx's `mathjax_path` to ../_mathjax/tex-mml-chtml.js (relative to _static/);
# html_extra_path copies book/_extra/ to the site root. MathJax finds its fonts relative to its own
# script, in output/chtml/fonts/woff-v2/, so that layout is kept.
set -euo pipefail
VERSION=${MATHJAX_VERSION:-3.2.2}
cd "$(dirname "$0")/.."
dest=book/_extra/_mathjax
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "mathjax@$VERSION" >/dev/null && tar xzf ./*.tgz)
rm -rf "$dest"
mkdir -p "$dest/output/chtml/fonts"
cp "$tmp/package/es5/tex-mml-chtml.js" "$tmp/package/LICENSE" "$dest/"
cp -r "$tmp/package/es5/output/chtml/fonts/woff-v2" "$dest/output/chtml/fonts/"
(cd "$dest" && find . -type f ! -name SHA256SUMS ! -name README.txt | sort | xargs sha256sum > SHA256SUMS)
cat > "$dest/README.txt" <<TXT
Local copy of MathJax $VERSION (npm package mathjax, Apache-2.0, see LICENSE): es5/tex-mml-chtml.js
and its CommonHTML fonts, so that the book's equations render with no network. Copied to the site
root as _mathjax/ by html_extra_path and loaded through Sphinx's mathjax_path (_config.yml).
Re-create or change the version with scripts/fetch_mathjax.sh (uses npm pack).
TXT
echo "mathjax@$VERSION -> $dest"
