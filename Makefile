# Two commands do all the set-up on a fresh machine:
#   make book   - create .venv, install, execute every chapter, build the HTML (fails on warnings)
#   make test   - create .venv, install, run the unit tests, execute every chapter with nbmake (into
#                 a copy under executed/), build the book from those executed copies (no second
#                 execution) and run the checks of the built pages (browser tests, output widths)
SHELL := /bin/bash
DATA_DEFAULT := $(abspath ../shared/data)
export VDSR_DATA ?= $(if $(wildcard $(DATA_DEFAULT)/SHA256SUMS),$(DATA_DEFAULT),)
VENV := .venv/bin
# not under _build/: nbmake skips every notebook whose path has a _build part
CI_BOOK := executed
PYTEST := $(VENV)/python -m pytest -q -p no:cacheprovider

.PHONY: setup book test unit nb clean
setup:
	bash scripts/setup.sh

book: setup
	$(VENV)/jupyter-book build . -W -n --keep-going

unit: setup
	$(VENV)/python -m pytest tests -q

nb: setup
	$(VENV)/python -m pytest --nbmake book -q --nbmake-timeout=900

# The executed notebooks are copies (book/ stays without outputs); the copy's _config.yml turns
# execution off, so Jupyter Book renders the outputs nbmake wrote (--overwrite) instead of re-running.
test: setup
	rm -rf $(CI_BOOK) && mkdir -p $(CI_BOOK)
	cp -rL book _config.yml _toc.yml references.bib $(CI_BOOK)/   # -L: the web page's weights are links
	sed -i 's/^  execute_notebooks: force/  execute_notebooks: "off"/' $(CI_BOOK)/_config.yml
	grep -q 'execute_notebooks: "off"' $(CI_BOOK)/_config.yml
	$(PYTEST) tests $(CI_BOOK)/book -m "not built_book" --nbmake --overwrite --nbmake-timeout=900 --durations=15
	$(VENV)/jupyter-book build $(CI_BOOK) -W -n --keep-going
	VDSR_BOOK_HTML=$(abspath $(CI_BOOK))/_build/html $(PYTEST) tests -m built_book -rs

clean:
	rm -rf _build .venv executed
