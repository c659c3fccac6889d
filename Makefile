# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.osatnet-installed

.PHONY: demo serve-demo test lint types pytest bench venv clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/osatnet demo

# The web dashboard on the demo's data (run `make demo` first); password: osatnet-demo.
serve-demo: $(STAMP)
	OSATNET_DATABASE_URL=sqlite:///demo-out/osatnet-demo.db \
	OSATNET_MASTER_KEY_FILE=demo-out/demo-master.key \
	OSATNET_DATA_DIR=demo-out/data \
	$(BIN)/osatnet serve --port 8000

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy src/osatnet

pytest: $(STAMP)
	$(BIN)/pytest --cov=osatnet --cov-report=term --cov-fail-under=85

test: lint types pytest

bench: $(STAMP)
	@set -e; for script in benchmarks/[a-z]*.py; do \
		echo "== $$script"; $(BIN)/python $$script; \
	done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage demo-out
