#!/usr/bin/env bash
# Fetch the ipywidgets HTML manager (the script that renders saved widget state in a static page)
# into book/_extra/_widgets_js/, so that the built book needs no CDN. The files are committed;
# run this only to change the version.
#
# Why these files: myst-nb embeds the widget state of executed notebooks but, by default, loads
# RequireJS and @jupyter-widgets/html-manager's embed-amd.js from CDNs; with no network the
# widgets stay blank. html-manager's non-AMD bundle `embed.js` holds the same manager and all
# core widgets (so no RequireJS is needed for them) and loads Font Awesome's fonts from its own
# folder. _config.yml points `nb_ipywidgets_js` at ../_widgets_js/embed.js and copies
# book/_extra/ to the site root with `html_extra_path` (not `_static/`: Jupyter Book would add
# every script found there to every page).
set -euo pipefail
VERSION=${HTML_MANAGER_VERSION:-1.0.15}   # pairs with ipywidgets 8.1.x (@jupyter-widgets/controls 5.0.x)
cd "$(dirname "$0")/.."
dest=book/_extra/_widgets_js
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@jupyter-widgets/html-manager@$VERSION" >/dev/null && tar xzf ./*.tgz)
mkdir -p "$dest"
rm -f "$dest"/*.js "$dest"/*.woff2 "$dest"/*.LICENSE.txt
cp "$tmp/package/dist/embed.js" "$tmp/package/dist/embed.js.LICENSE.txt" "$dest/"
cp "$tmp"/package/dist/*.woff2 "$dest/"   # browsers fetch woff2 first; the other font formats are not needed
(cd "$dest" && sha256sum embed.js ./*.woff2 | sed 's| \./| |' > SHA256SUMS)
echo "@jupyter-widgets/html-manager@$VERSION -> $dest"
cat "$dest/SHA256SUMS"
