# The two commands of the README: `make demo` and `make test`.
# Both set up everything on a fresh machine: the virtual environment, the
# package (pinned by constraints.txt) and the fonts the PDF needs.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test setup fonts lint clean

demo: setup
	$(BIN)/gongwen build data/wushui/2024

test: setup lint
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

setup: $(INSTALLED) fonts

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint constraints.txt --editable '.[dev]'
	touch $@

fonts:
	@bash scripts/install-system-packages.sh

clean:
	rm -rf $(VENV) output
