# The two set-up commands of a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export ROI_INSTANCE_PATH ?= $(CURDIR)/instance
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres lint typecheck e2e e2e-deps bench clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

# Create the environment, prepare a demo instance on first run, and serve on http://127.0.0.1:5000.
run: $(STAMP)
	@if [ ! -f "$(ROI_INSTANCE_PATH)/keys.json" ] && [ -z "$$ROI_KEY_FILE" ]; then $(BIN)/roi-tracker init --demo; \
	else $(BIN)/roi-tracker db upgrade; fi
	$(BIN)/roi-tracker serve

# The whole suite, on SQLite and then on PostgreSQL (skipped with a reason when no server; required under CI=true).
test: $(STAMP) e2e-deps lint typecheck
	bash scripts/test-both-databases

test-sqlite: $(STAMP)
	$(BIN)/pytest -q

test-postgres: $(STAMP)
	ROI_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r src

typecheck: $(STAMP)
	$(BIN)/mypy

# Benchmarks P1-P7 (performance.md; P7 the request queue) in one table; instances are seeded once per scale into bench/.data.
# Scale down with e.g. `make bench BENCH_ARGS="--clients 20000"`; see `python -m bench.run --help`.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)
# The browser journeys (tests/e2e) alone, on this run's database (ROI_TEST_DATABASE_URL for PostgreSQL).
# They need Debian's chromium at /usr/bin/chromium (`apt-get install chromium`; never `playwright install`).
e2e: $(STAMP) e2e-deps
	$(BIN)/pytest -q -p no:cacheprovider tests/e2e

# axe-core for the journeys' accessibility checks, as package-lock.json pins it, into ./node_modules.
NODE_STAMP := node_modules/.installed
e2e-deps: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $(NODE_STAMP); \
	else echo "npm not found: the browser journeys will skip (fail under CI=true) without axe-core"; fi

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache node_modules
