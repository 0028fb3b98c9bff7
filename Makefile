# One-word entry points. Each creates the virtual environment it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test lint validate bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(BIN)/.bench: $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

serve: $(BIN)/.installed  ## serve the curated graph on http://127.0.0.1:8000
	$(BIN)/python -m app serve --host $(HOST) --port $(PORT)

test: $(BIN)/.installed  ## lint, then the whole test suite
	$(BIN)/ruff check .
	$(BIN)/mypy app
	$(BIN)/python -m pytest

validate: $(BIN)/.installed
	$(BIN)/python -m app validate

bench: $(BIN)/.bench  ## benchmarks against peers; writes bench/RESULTS.md
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
