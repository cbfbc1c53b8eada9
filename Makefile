# EYOS — see README.md. `make run` and `make test` work on a fresh machine with Python 3.12+.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/eyos
export PYTHONDONTWRITEBYTECODE := 1

# The first interpreter that is really Python >= 3.12. pyenv shims may exist on PATH without
# working, so each candidate is run, not just looked up.
PYTHON ?= $(shell for c in python3.13 python3.12 python3 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	  if $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$c || echo $$c; break; fi; done)

.PHONY: help venv run test test-pg lint serve bench messages clean

help:
	@echo "make run      install, migrate, seed demo data, serve on 127.0.0.1:$(PORT)"
	@echo "make test     the whole test suite on SQLite"
	@echo "make test-pg  the whole test suite on PostgreSQL (DATABASE_URL, default $(PG_URL))"
	@echo "make lint     ruff and the migrations check (as CI runs them)"
	@echo "make serve    production-like: gunicorn + whitenoise + task worker"
	@echo "make bench    benchmarks (iCal feed vs django-ical)"
	@echo "make messages extract and compile translations"

$(VENV)/.python-ok:
	@if [ -z "$(PYTHON)" ]; then echo "EYOS needs Python 3.12 or newer; none was found on PATH." >&2; exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	@echo "Creating the virtualenv in $(VENV)…"
	@$(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: $(VENV)/.python-ok requirements.txt
	@echo "Installing the Python packages of requirements.txt (a minute or two the first time)…"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@echo "Packages installed."
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	@echo "Installing the test tools of requirements-test.txt…"
	@$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

venv: $(VENV)/.installed

# Links in emails (sent by the worker) point at this server unless SITE_URL says otherwise.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.installed
	@echo "Applying database migrations…"
	@$(PY) manage.py migrate --no-input -v 0
	@$(PY) manage.py seed_demo
	@echo
	@echo "Serving on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/). Ctrl-C stops."
	@trap 'kill 0' EXIT INT TERM; \
	  $(PY) manage.py db_worker --interval 2 & \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-test
	$(PY) -m pytest $(ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

test-pg: $(VENV)/.installed-test
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(PY) -m pytest --create-db $(ARGS)

# Each benchmark sets its own settings module, database and cache (an exported
# DJANGO_SETTINGS_MODULE, DATABASE_URL or REDIS_URL changes nothing). The site benchmark uses
# PostgreSQL (database eyos_bench, created and dropped) and Redis (db 7, flushed) when they answer,
# and wrk when it is installed. BENCH_ARGS=--quick: a short smoke run, goals not enforced.
bench: $(VENV)/.installed-test
	$(PY) bench/feeds.py $(BENCH_ARGS)
	$(PY) bench/dashboard.py $(BENCH_ARGS)
	$(PY) bench/site_load.py $(BENCH_ARGS)

serve: $(VENV)/.installed
	@mkdir -p var
	@[ -f var/secret_key ] || $(PY) -c 'import secrets; print(secrets.token_urlsafe(50))' > var/secret_key
	@export DJANGO_SETTINGS_MODULE=eyos.settings.production SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret_key)} \
	  ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} SECURE_SSL_REDIRECT=$${SECURE_SSL_REDIRECT:-0} \
	  SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-0} CSRF_COOKIE_SECURE=$${CSRF_COOKIE_SECURE:-0}; \
	  $(PY) manage.py collectstatic --no-input -v 0 && $(PY) manage.py migrate --no-input -v 0 && \
	  trap 'kill 0' EXIT INT TERM; \
	  while true; do $(PY) manage.py db_worker; echo "worker exited ($$?); restarting in 2 s" >&2; sleep 2; done & \
	  $(VENV)/bin/gunicorn eyos.wsgi -c eyos/gunicorn_conf.py --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-3}

# Needs GNU gettext. The compiled .mo files are committed, so `run` and `test` do not.
messages: $(VENV)/.installed
	$(PY) manage.py makemessages --all --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'tests/*' --no-obsolete
	$(PY) manage.py compilemessages --ignore '.venv'

clean:
	rm -rf $(VENV) staticfiles
