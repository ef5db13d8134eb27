# Two commands do all the set-up on a fresh machine:
#   make book   - create .venv, install, execute every chapter, build the HTML (fails on warnings)
#   make test   - create .venv, install, run the unit tests and execute every chapter with nbmake
SHELL := /bin/bash
DATA_DEFAULT := $(abspath ../shared/data)
export VDSR_DATA ?= $(if $(wildcard $(DATA_DEFAULT)/SHA256SUMS),$(DATA_DEFAULT),)
VENV := .venv/bin

.PHONY: setup book test unit nb clean
setup:
	bash scripts/setup.sh

book: setup
	$(VENV)/jupyter-book build . -W -n --keep-going

unit: setup
	$(VENV)/python -m pytest tests -q

nb: setup
	$(VENV)/python -m pytest --nbmake book -q --nbmake-timeout=900

test: setup
	$(VENV)/python -m pytest tests book --nbmake --nbmake-timeout=900 -q -p no:cacheprovider --durations=15

clean:
	rm -rf _build .venv
