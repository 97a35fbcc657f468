# One-command start and test on a machine that has only Python >= 3.11.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint clean bench-import

$(STAMP): pyproject.toml
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (set PY=python3.x)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## run: migrate, create the demo owner and data, start web + worker + Redis + mail catcher
run: $(STAMP)
	$(BIN)/newsletter db upgrade
	$(BIN)/newsletter demo
	$(BIN)/newsletter dev

## test: the whole suite (SQLite + embedded Redis unless TEST_DATABASE_URL/TEST_REDIS_URL)
test: $(STAMP)
	$(BIN)/pytest

## bench-import: import a generated CSV (BENCH_ROWS, default 1,000,000) on SQLite, then on
## PostgreSQL when BENCH_POSTGRES_URL is set (a scratch schema there is dropped afterwards)
BENCH_ROWS ?= 1000000
BENCH_POSTGRES_URL ?=
bench-import: $(STAMP)
	BENCH_DATABASE_URL= $(BIN)/python bench/import_bench.py --rows $(BENCH_ROWS)
	@if [ -n "$(BENCH_POSTGRES_URL)" ]; then \
		BENCH_DATABASE_URL=$(BENCH_POSTGRES_URL) $(BIN)/python bench/import_bench.py --rows $(BENCH_ROWS); \
	else echo "set BENCH_POSTGRES_URL=postgresql://user@host:5432/db to also run on PostgreSQL"; fi

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance tests/artifacts .pytest_cache
