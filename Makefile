# The two commands of the README: `make demo` and `make test`.
# Both set up everything on a fresh machine: the virtual environment, the
# package (pinned by constraints.txt) and the fonts the PDF needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test setup fonts lint bench clean

demo: setup
	$(BIN)/gongwen build data/wushui/2024

test: setup lint
	@bash scripts/install-test-packages.sh
	$(BIN)/pytest

# Not a test: timings against LibreOffice, stage by stage, and a batch of 200
# synthetic offices (bench/run.py; several minutes). BENCH_ARGS="--offices 20" for less.
bench: setup
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: setup
	$(BIN)/ruff check --no-cache .
	$(BIN)/ruff format --no-cache --check .
	$(BIN)/mypy

# Bytecode for the editable install, compiled ahead: a Python told not to write
# it (PYTHONDONTWRITEBYTECODE) would otherwise compile every module of
# generator/ again in every run, a fifth of a second of each `gongwen build`.
setup: $(INSTALLED) fonts
	@$(BIN)/python -m compileall -q generator

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint constraints.txt --editable '.[dev]'
	touch $@

fonts:
	@bash scripts/install-system-packages.sh

clean:
	rm -rf $(VENV) output
