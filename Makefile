# One-command start and test on a machine that has only Python >= 3.11.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install lock run test lint clean translations bench-send bench-click bench-import bench-blocklist

LOCK := requirements.lock

# exactly the versions (and hashes) in the lock file, then the project itself without deps
$(STAMP): pyproject.toml $(LOCK)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (set PY=python3.x)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## lock: resolve pyproject.toml's dependencies (dev included) into requirements.lock, with
## hashes, for every platform and Python >= 3.11; commit the result
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet -o $(LOCK)

## run: migrate, create the demo owner and data, start web + worker + Redis + mail catcher
run: $(STAMP)
	$(BIN)/newsletter db upgrade
	$(BIN)/newsletter demo
	$(BIN)/newsletter dev

## test: the whole suite (SQLite + embedded Redis unless TEST_DATABASE_URL/TEST_REDIS_URL)
test: $(STAMP)
	$(BIN)/pytest

## translations: extract subscriber-facing strings and merge them into every .po file
translations: $(STAMP)
	$(BIN)/pybabel extract -F newsletter/translations/babel.cfg --no-location --omit-header \
		-o newsletter/translations/messages.pot .
	$(BIN)/pybabel update -i newsletter/translations/messages.pot -d newsletter/translations \
		--no-fuzzy-matching --width 100

## bench-click: the click endpoint under load (gunicorn, 2 workers, port 5104)
bench-click: $(STAMP)
	$(BIN)/python bench/click_endpoint.py

## bench-import: import a generated CSV (BENCH_ROWS, default 1,000,000) on SQLite, then on
## PostgreSQL when BENCH_POSTGRES_URL is set (a scratch schema there is dropped afterwards)
BENCH_ROWS ?= 1000000
BENCH_POSTGRES_URL ?=
bench-import: $(STAMP)
	BENCH_DATABASE_URL= $(BIN)/python bench/import_bench.py --rows $(BENCH_ROWS)
	@if [ -n "$(BENCH_POSTGRES_URL)" ]; then \
		BENCH_DATABASE_URL=$(BENCH_POSTGRES_URL) $(BIN)/python bench/import_bench.py --rows $(BENCH_ROWS); \
	else echo "set BENCH_POSTGRES_URL=postgresql://user@host:5432/db to also run on PostgreSQL"; fi

## bench-blocklist: block-list matching, 1M recipients x 100k entries (BENCH_DATABASE_URL;
## sizes with BENCH_ARGS="--recipients 20000 --entries 2000"); its tables are dropped
bench-blocklist: $(STAMP)
	$(BIN)/python bench/blocklist.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) instance tests/artifacts .pytest_cache

## bench-send: the sending engine against Postfix's smtp-sink (installs postfix when missing);
## BENCH_DATABASE_URL / BENCH_REDIS_URL select PostgreSQL / a Redis server
bench-send: $(STAMP)
	@[ -x /usr/sbin/smtp-sink ] || { echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null; }
	$(BIN)/python bench/send_bench.py --scenario personalized --n $${N:-100000}
	$(BIN)/python bench/send_bench.py --scenario dkim --n $${N:-100000}
	$(BIN)/python bench/send_bench.py --scenario two-workers --n $${N:-100000}
	$(BIN)/python bench/send_bench.py --scenario million --n $${MILLION:-1000000}
