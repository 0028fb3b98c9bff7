# One-word entry points. Each creates the virtual environment it needs, from the lock files.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOWEST := .venv-lowest
# Empty unless given (`make serve PORT=9000`): then KG_HOST / KG_PORT from the environment decide.
HOST   ?=
PORT   ?=
# The build backend is locked too, so the editable install needs nothing unpinned.
BUILD_REQUIREMENT := setuptools>=77
LOCK_OPTIONS := --quiet --generate-hashes --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)

.PHONY: serve test test-lowest validate bench bench-compare bench-load bench-access-log lock clean

$(BIN)/.installed: pyproject.toml requirements-dev.lock app/explorer/package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: this project needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)."; \
	  echo "       Run make again naming a newer one, e.g. make PYTHON=python3.12"; exit 1; }
	@if [ -e $(VENV) ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	  echo "error: $(VENV) is left from an install that failed, or was made by a Python older than 3.11."; \
	  echo "       Remove it with 'make clean', then run make again (with PYTHON=python3.11 or newer if needed)."; \
	  exit 1; fi
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "error: '$(PYTHON) -m venv' failed (on Debian or Ubuntu: apt-get install python3-venv)."; exit 1; }
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
	  echo "error: requirements-dev.lock lacks what pyproject.toml asks for: run 'make lock'"; exit 1; }
	sh app/explorer/install.sh
	touch $@

serve: $(BIN)/.installed  ## serve the curated graph on $KG_HOST:$KG_PORT (default http://127.0.0.1:8000)
	$(BIN)/kg serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

test: $(BIN)/.installed  ## ruff (lint and format), mypy, then the whole test suite
	.ci/provision-jq
	.ci/provision-postgres
	.ci/provision-browser
	.ci/provision-node
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy app bench
	$(BIN)/python -m pytest
	.ci/schemathesis

$(LOWEST)/.installed: requirements-lowest.lock $(BIN)/.installed
	rm -rf $(LOWEST)
	$(BIN)/python -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet --require-hashes -r requirements-lowest.lock
	$(LOWEST)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

test-lowest: $(LOWEST)/.installed  ## the same checks on the oldest versions pyproject.toml allows
	$(LOWEST)/bin/ruff check .
	$(LOWEST)/bin/mypy app
	$(LOWEST)/bin/python -m pytest

validate: $(BIN)/.installed  ## check the dataset folders ($KG_DATA, default graph_data/)
	$(BIN)/kg validate

bench: $(BIN)/.installed  ## benchmarks against peers; writes bench/RESULTS.md
	$(BIN)/python -m bench

bench-compare: $(BIN)/.installed  ## make bench's service figures for REF=<commit> and this checkout, in one run; writes its part of bench/RESULTS.md
	@test -n "$(REF)" || { echo 'say which commit to compare with: make bench-compare REF=<commit>' >&2; exit 2; }
	$(BIN)/python -m bench.compare '$(REF)'

bench-load: $(BIN)/.installed  ## every route under 64 clients, then a storm of analyses (needs wrk); writes its part of bench/RESULTS.md
	$(BIN)/python -m bench.concurrency

bench-access-log: $(BIN)/.installed  ## the fast routes' requests/s with and without the access log (needs wrk); writes its part of bench/RESULTS.md
	$(BIN)/python -m bench.access_log

# Re-resolves the three lock files from pyproject.toml, keeping current pins where they still fit;
# `make lock UPGRADE=1` moves everything to the newest allowed versions.
lock:
	@test -x $(BIN)/uv || { $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet 'uv>=0.9'; }
	echo '$(BUILD_REQUIREMENT)' | $(BIN)/uv pip compile - pyproject.toml --all-extras --universal \
	  $(LOCK_OPTIONS) -o requirements-dev.lock
	echo '$(BUILD_REQUIREMENT)' | $(BIN)/uv pip compile - pyproject.toml --universal \
	  $(LOCK_OPTIONS) -c requirements-dev.lock -o requirements.lock
	echo '$(BUILD_REQUIREMENT)' | $(BIN)/uv pip compile - pyproject.toml --extra test --resolution lowest-direct \
	  --python-version 3.11 $(LOCK_OPTIONS) -o requirements-lowest.lock

clean:  ## remove the virtual environments, tool caches and build output that make and the tests create
	rm -rf $(VENV) $(LOWEST) .pytest_cache .hypothesis .ruff_cache .mypy_cache .schemathesis \
	  build dist *.egg-info bench/.work bench/data app/explorer/static/vendor
	find . -path ./.git -prune -o -type d \( -name __pycache__ -o -name node_modules \) -prune -exec rm -rf {} +
