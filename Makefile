# One-command start and test on a machine that has only Python >= 3.11.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint clean bench-blocklist

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

## bench-blocklist: block-list matching, 1M recipients x 100k entries (BENCH_DATABASE_URL;
## sizes with BENCH_ARGS="--recipients 20000 --entries 2000"); its tables are dropped
bench-blocklist: $(STAMP)
	$(BIN)/python bench/blocklist.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance tests/artifacts .pytest_cache
