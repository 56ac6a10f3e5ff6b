# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Prefect keeps its SQLite database here, so its temporary server starts warm after the first run.
export PREFECT_HOME ?= $(CURDIR)/.prefect
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_UI_ENABLED := false

.PHONY: demo test test-all lint clean-venv browser

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "wirehouse needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[model,dev]'
	touch $(STAMP)

## demo: ingest + enrich the bundled offline corpus into data/demo.duckdb
demo: $(STAMP)
	$(BIN)/wirehouse demo --db data/demo.duckdb

# Slow tests run where CI is set (.ci/run sets it) or with `make test-all`.
TEST_MARKERS ?= $(if $(CI),,not slow)

# The report test opens the report in a real browser: Debian's Chromium (playwright drives it; it downloads nothing).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Chromium for the report test (apt-get)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
		{ echo "cannot install Chromium: run 'apt-get install chromium' as root, then make test"; exit 1; }; }

## test: the test suite
test: $(STAMP) browser
	$(BIN)/python -m pytest -m "$(TEST_MARKERS)"

test-all: $(STAMP) browser
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

clean-venv:
	rm -rf $(VENV)
