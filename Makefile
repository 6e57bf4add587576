# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint types bench chaos fuzz clean deps compat compat-deps

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

# the drivers' own test suites against the server and PostgreSQL 15 (docs/compatibility.md): compat-deps
# installs the suites' test requirements and downloads the pinned sdists once; compat runs offline from
# that cache, one suite and one server at a time, and writes compat-report.json
COMPAT_STAMP := $(VENV)/.compat-installed
$(COMPAT_STAMP): $(STAMP) pyproject.toml compat/sdists.txt
	$(BIN)/pip install --quiet -e '.[test,compat]'
	$(BIN)/python -m compat.deps
	touch $(COMPAT_STAMP)

compat-deps: $(COMPAT_STAMP)

compat: compat-deps
	$(BIN)/python -m compat.run --report compat-report.json

clean:
	rm -rf $(VENV) data build *.egg-info .compat-cache
