# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint types bench chaos fuzz clean deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/heliosdb-lite serve

deps:
	@if ! command -v psql >/dev/null 2>&1 || ! command -v pgbench >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client; \
	fi
	@if ! command -v etcd >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .

# mypy over what [tool.mypy] in pyproject.toml names: the package, testsupport, tools, bench and tests
types: $(STAMP)
	$(BIN)/mypy

# the suite waits on server processes more than it computes: one worker per core, each test file on one
# worker (its module-scoped servers are started once)
test: $(STAMP) deps lint types
	$(BIN)/pytest -q -n auto --dist loadfile

bench: $(STAMP)
	$(BIN)/python -m bench

chaos: $(STAMP)
	$(BIN)/pytest -q -m chaos

# sqlsmith against a live server: FUZZ_SEEDS seeds of FUZZ_QUERIES queries each; the verdict and the
# errors by SQLSTATE in fuzz-report.json (tests/fuzz/sqlsmith_run.py)
FUZZ_SEEDS ?= 1,2,3,4
FUZZ_QUERIES ?= 2000
fuzz: $(STAMP)
	@if ! command -v sqlsmith >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlsmith; \
	fi
	$(BIN)/python -m tests.fuzz.sqlsmith_run --seeds $(FUZZ_SEEDS) --queries $(FUZZ_QUERIES) --report fuzz-report.json

clean:
	rm -rf $(VENV) data build *.egg-info
