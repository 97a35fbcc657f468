# One-command start and test on a machine that has only Python >= 3.11.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install lock run test lint audit clean translations vendor bench-send bench-click bench-import \
	bench-blocklist bench-tokens bench-load bench-sms bench-api bench-segment bench-smoke

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
## (PORT=8000 make run, or make run PORT=8000: another port)
run: $(STAMP)
	$(BIN)/newsletter db upgrade
	$(BIN)/newsletter demo
	$(BIN)/newsletter dev $(if $(PORT),--port $(PORT))

## test: the whole suite (SQLite + embedded Redis unless TEST_DATABASE_URL/TEST_REDIS_URL)
test: $(STAMP)
	$(BIN)/pytest

## translations: extract subscriber-facing and admin strings (babel.cfg) and merge them into
## every .po file
translations: $(STAMP)
	$(BIN)/pybabel extract -F newsletter/translations/babel.cfg -k lazy_gettext -k lazy_pgettext:1c,2 -k N_plural:1,2 --no-location --omit-header \
		-o newsletter/translations/messages.pot .
	$(BIN)/pybabel update -i newsletter/translations/messages.pot -d newsletter/translations \
		--no-fuzzy-matching --ignore-obsolete --width 100

## vendor: fetch the pinned npm packages of static/vendor/packages.json (npm pack), check
## their integrity, copy the listed files into static/vendor/<name>/ and write VENDOR.md;
## commit the result (pages, tests and CI use the committed files, no network)
vendor:
	$(PY) tools/vendor.py

# Benchmarks (README "Benchmarks"): each prints one parseable line per figure. Schemas come
# from the migrations on a scratch database: SQLite in a temporary directory, or a scratch
# schema in BENCH_DATABASE_URL=postgresql://... (dropped afterwards); BENCH_REDIS_URL
# selects a Redis server (that database is flushed), else an embedded Redis.

## bench-click: the click endpoint under load (gunicorn, 2 workers, port BENCH_PORT or 5104)
BENCH_REQUESTS ?= 20000
bench-click: $(STAMP)
	$(BIN)/python bench/click_endpoint.py --requests $(BENCH_REQUESTS)

## bench-import: import a generated CSV of BENCH_ROWS rows (1,000,000); also on
## BENCH_POSTGRES_URL=postgresql://user@host:5432/db when set
BENCH_ROWS ?= 1000000
BENCH_POSTGRES_URL ?=
bench-import: $(STAMP)
	$(BIN)/python bench/import_bench.py --rows $(BENCH_ROWS)
	@if [ -n "$(BENCH_POSTGRES_URL)" ]; then \
		BENCH_DATABASE_URL=$(BENCH_POSTGRES_URL) $(BIN)/python bench/import_bench.py --rows $(BENCH_ROWS); fi

## bench-sms: SMS_N recipients (100,000), two GSM-7 parts each, through the SMPP messenger to
## a local SMPP server, one worker; also on BENCH_POSTGRES_URL=postgresql://... when set
SMS_N ?= 100000
bench-sms: $(STAMP)
	$(BIN)/python bench/sms_bench.py --n $(SMS_N)
	@if [ -n "$(BENCH_POSTGRES_URL)" ]; then \
		BENCH_DATABASE_URL=$(BENCH_POSTGRES_URL) $(BIN)/python bench/sms_bench.py --n $(SMS_N); fi

## bench-blocklist: block-list matching, BENCH_RECIPIENTS (1,000,000) x BENCH_ENTRIES (100,000)
BENCH_RECIPIENTS ?= 1000000
BENCH_ENTRIES ?= 100000
bench-blocklist: $(STAMP)
	$(BIN)/python bench/blocklist.py --recipients $(BENCH_RECIPIENTS) --entries $(BENCH_ENTRIES) $(BENCH_ARGS)

## bench-tokens: the signing cost of one message's tokens (CPU only; TOKEN_NUMBER messages
## per repeat, best of 5)
TOKEN_NUMBER ?= 20000
bench-tokens: $(STAMP)
	$(BIN)/python bench/token_cost.py --number $(TOKEN_NUMBER)

## bench-load: public traffic at LOAD_RPS (200) requests/s during a LOAD_RECIPIENTS (20,000)
## send, with gunicorn and two workers; lost, duplicated, confirmation and click delays
LOAD_RECIPIENTS ?= 20000
LOAD_RPS ?= 200
LOAD_SECONDS ?= 10
bench-load: $(STAMP)
	$(BIN)/python bench/load.py --recipients $(LOAD_RECIPIENTS) --rps $(LOAD_RPS) \
		--min-seconds $(LOAD_SECONDS)

## bench-api: bulk upsert of API_CONTACTS (1,000,000) contacts through POST
## /api/v1/contacts/bulk in calls of API_BATCH (10,000); also on BENCH_POSTGRES_URL when set
API_CONTACTS ?= 1000000
API_BATCH ?= 10000
bench-api: $(STAMP)
	$(BIN)/python bench/api_bench.py --contacts $(API_CONTACTS) --batch $(API_BATCH)
	@if [ -n "$(BENCH_POSTGRES_URL)" ]; then \
		BENCH_DATABASE_URL=$(BENCH_POSTGRES_URL) $(BIN)/python bench/api_bench.py \
		--contacts $(API_CONTACTS) --batch $(API_BATCH); fi

## bench-segment: counting a three-condition saved segment (list, attribute, clicked in the
## last 30 days) over SEGMENT_CONTACTS contacts (1,000,000); on PostgreSQL with
## BENCH_DATABASE_URL=postgresql://... (target: under 2 s)
SEGMENT_CONTACTS ?= 1000000
bench-segment: $(STAMP)
	$(BIN)/python bench/segment.py --contacts $(SEGMENT_CONTACTS)

## bench-smoke: every bench-* at about 2,000 each (bench/smoke.py), on SQLite + embedded Redis,
## then on PostgreSQL + Redis when they answer on 127.0.0.1 (a scratch database, dropped)
bench-smoke: $(STAMP)
	$(BIN)/python bench/smoke.py

lint: $(STAMP)
	$(BIN)/ruff check .

## audit: bandit over the package; medium severity and up fails (each exception is a
## "# nosec <id>" with its reason on the line above)
audit: $(STAMP)
	$(BIN)/bandit -q -r newsletter -ll

clean:
	rm -rf $(VENV) instance tests/artifacts .pytest_cache

## bench-send: the sending engine against Postfix's smtp-sink (installs postfix when missing);
## N recipients (100,000) per scenario, MILLION (1,000,000) started of which 100,000 are sent,
## CEILING_N messages (20,000) in the bare smtplib loop
N ?= 100000
MILLION ?= 1000000
CEILING_N ?= 20000
bench-send: $(STAMP)
	@[ -x /usr/sbin/smtp-sink ] || { echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null; }
	$(BIN)/python bench/send_bench.py --scenario personalized --n $(N) --ceiling-n $(CEILING_N)
	$(BIN)/python bench/send_bench.py --scenario dkim --n $(N) --ceiling-n $(CEILING_N)
	$(BIN)/python bench/send_bench.py --scenario two-workers --n $(N) --ceiling-n $(CEILING_N)
	$(BIN)/python bench/send_bench.py --scenario million --n $(MILLION) --ceiling-n $(CEILING_N)
