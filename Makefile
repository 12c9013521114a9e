# Two commands for a newcomer: `make run` (Deskbell with demo data on SQLite) and `make test`.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
INSTANCE ?= $(CURDIR)/instance
DB ?= sqlite
HOST ?= 127.0.0.1
PORT ?= 5000
# The demo's mail catcher: `make run` sends all mail there (saved under $(INSTANCE)/mail-catcher/).
MAIL_CATCHER_PORT ?= 8025
PYTEST_ARGS ?=
# Tests run in parallel, one worker per core, each with its own databases and live servers.
TEST_WORKERS ?= auto

export DESKBELL_INSTANCE_PATH := $(INSTANCE)

.PHONY: run serve install test test-deps lint format translations css clean-venv bench

$(BIN)/activate:
	@# Debian's own Python needs python3-venv for this; install it when the first try fails.
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); sh scripts/apt-install.sh python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# `make run` writes one for the demo (mail to the catcher, sign-up on); `make serve` one for a real
# desk (CONFIG_ARGS=--serve: no catcher). Whichever runs first writes it; it is never overwritten.
$(INSTANCE)/config.py:
	mkdir -p $(INSTANCE)
	$(BIN)/python scripts/new_instance_config.py $(CONFIG_ARGS) > $@.tmp && mv $@.tmp $@

# Where people click: the address `make run` serves on. A wildcard HOST (0.0.0.0, ::) is no address
# to click, so its links use 127.0.0.1 (set DESKBELL_BASE_URL to the name others reach it by).
LINK_HOST = $(if $(filter 0.0.0.0 :: [::],$(HOST)),127.0.0.1,$(HOST))
RUN_URL = http://$(if $(findstring :,$(LINK_HOST)),[$(LINK_HOST)],$(LINK_HOST)):$(PORT)

# The worker (outbox, timers) and the mail catcher run beside gunicorn; Ctrl-C stops all three.
# Mail goes to the catcher unless DESKBELL_SMTP_URL is set in the environment. Links in pages, in
# the printed logins and in mail use RUN_URL, unless DESKBELL_BASE_URL is set in the environment or
# BASE_URL in instance/config.py.
run: export DESKBELL_SMTP_URL ?= smtp://127.0.0.1:$(MAIL_CATCHER_PORT)
ifeq ($(origin DESKBELL_BASE_URL)$(shell grep -s '^BASE_URL' $(INSTANCE)/config.py),undefined)
run: export DESKBELL_BASE_URL = $(RUN_URL)
serve: export DESKBELL_BASE_URL = $(RUN_URL)
LINKS = $(RUN_URL)
else
LINKS = $(or $(DESKBELL_BASE_URL),the BASE_URL in $(INSTANCE)/config.py)
endif
run: install $(INSTANCE)/config.py
	$(FLASK) db upgrade
	$(FLASK) demo seed
	@echo "Deskbell serves on $(HOST):$(PORT) (Ctrl-C stops it); links use $(LINKS); mail goes to $$DESKBELL_SMTP_URL"
	@trap 'kill $$catcher $$worker 2>/dev/null; wait' EXIT INT TERM; \
	$(FLASK) mail catcher --port $(MAIL_CATCHER_PORT) & catcher=$$!; \
	$(FLASK) worker & worker=$$!; \
	$(BIN)/gunicorn --bind $(if $(findstring :,$(HOST)),[$(HOST)],$(HOST)):$(PORT) --workers 2 --no-control-socket "wsgi:create_app()"

# A real desk on this machine (README, "Run it on your own server" for one behind TLS): no demo data,
# no mail catcher; the database upgraded, then gunicorn with the worker beside it; Ctrl-C stops both.
# It refuses to start without a secret key, or before the first admin exists. Mail goes out through
# SMTP_URL (DESKBELL_SMTP_URL or instance/config.py); unset, it waits in the outbox.
WEB_WORKERS ?= 2
SERVE_CHECK = PYTHONPATH=$(CURDIR) $(BIN)/python scripts/serve_check.py
serve: CONFIG_ARGS = --serve
serve: install $(INSTANCE)/config.py
	@$(SERVE_CHECK) config
	$(FLASK) db upgrade
	@$(SERVE_CHECK) agent
	@echo "Deskbell serves on $(HOST):$(PORT) (Ctrl-C stops it); links use $(LINKS)"
	@trap 'kill $$worker 2>/dev/null; wait' EXIT INT TERM; \
	$(FLASK) worker & worker=$$!; \
	$(BIN)/gunicorn --bind $(if $(findstring :,$(HOST)),[$(HOST)],$(HOST)):$(PORT) --workers $(WEB_WORKERS) --no-control-socket "wsgi:create_app()"

test-deps: $(VENV)/.test-installed
	DB=$(DB) sh scripts/install-test-system-deps.sh

test: test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DESKBELL_TEST_DB=$(DB) $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The benchmark suite (README, "Performance"): BENCH_SIZES="10000 100000 1000000" for all three sizes,
# BENCH_DURATION=10 seconds of load per page. Seeded desks are cached under bench/cache/.
BENCH_SIZES ?= 10000
BENCH_DURATION ?= 10
bench: install
	sh scripts/apt-install.sh wrk
	BENCH_SIZES="$(BENCH_SIZES)" BENCH_DURATION=$(BENCH_DURATION) PYTHONPATH=$(CURDIR) $(BIN)/python -m bench.run

lint: $(VENV)/.test-installed
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(VENV)/.test-installed
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# Re-extract the strings and update the catalogs after changing user-facing text; then translate
# the new entries in translations/<lang>/LC_MESSAGES/messages.po and run it again to compile.
# The header must stay: it carries Russian's Plural-Forms. tests/test_translations.py checks the result.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -c TRANSLATORS: --no-location \
		--project Deskbell --version 0.1.0 -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d translations --statistics

# The stylesheet the pages load, static/css/deskbell.css, is built from static/css/parts/ (edit those);
# scripts/build_css.py says why one built file. tests/test_static_files.py checks it is current.
css:
	$(PYTHON) scripts/build_css.py

clean-venv:
	rm -rf $(VENV)
