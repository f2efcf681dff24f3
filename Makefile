# 업무보고 포털 — development entry points. See README.md, "개발 환경 / Development".
#
#   make run      venv + migrate + seeds + demo users, then a PDF worker and the dev server on 127.0.0.1:8000
#   make serve    production server: collectstatic, migrations checked, gunicorn (README "운영 서버")
#   make worker   more PDF workers (one process per core) for the same database and PDF_BUILD_ROOT
#   make test     system packages + venv, then the whole suite on a throwaway PostgreSQL 15, then SQLite
#   make bench    venv, then manage.py bench (and, with no BENCH_ARGS, the mixed load on both databases)
#   make lint     ruff check + ruff format --check + lint-imports (the layer contract in pyproject.toml)
#   make backup   manage.py backup (database + stored files into BACKUP_DIR; BACKUP_ARGS='--keep 14')

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON3 ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-from-pyproject
PG_BIN ?= /usr/lib/postgresql/15/bin
APT_GET ?= apt-get
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# Extra arguments for pytest / manage.py bench, e.g. make test PYTEST_ARGS='-k budget -x'
PYTEST_ARGS ?=
BENCH_ARGS ?=
BACKUP_ARGS ?=
WORKER_ARGS ?=

.PHONY: help venv install pdfdeps sysdeps run serve worker test test-postgres test-sqlite bench bench-mixed benchdeps lint backup

help:
	@echo "make run | serve | worker | test | test-postgres | test-sqlite | bench | bench-mixed | lint | backup | venv | sysdeps"

# --- Python environment ---------------------------------------------------------------------
# The stamp lives inside .venv: deleting .venv or editing pyproject.toml re-installs.
venv install: $(STAMP)

$(STAMP): pyproject.toml
	@if ! $(PY) -c '' 2>/dev/null; then \
	    echo "== creating $(VENV) with $$(command -v $(PYTHON3))"; \
	    rm -rf $(VENV); \
	    $(PYTHON3) -m venv $(VENV); \
	fi
	$(PY) -m pip install --progress-bar off -e '.[dev]'
	@# setuptools leaves its metadata folder in the checkout; the install does not need it.
	@rm -rf *.egg-info
	@touch $@

# --- Debian packages -------------------------------------------------------------------------
# Each package is checked first; apt-get update and install run only if something is missing.
# pdfdeps: what WeasyPrint needs to lay out and subset fonts (make run and PDF workers too);
# sysdeps: that, plus what the tests need (Chromium, poppler, PostgreSQL 15).
# APT_INSTALL installs the shell variable $$missing (if any), saying so under $$label.
APT_INSTALL = if [ -z "$$missing" ]; then \
	    echo "== $$label: all present"; \
	else \
	    echo "== $$label: installing$$missing"; \
	    $(SUDO) $(APT_GET) update; \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y --no-install-recommends $$missing; \
	fi

pdfdeps:
	@label="pdfdeps (libharfbuzz-subset0, pango)"; missing=""; \
	for pkg in libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0; do \
	    dpkg-query -W -f='$${db:Status-Abbrev}' "$$pkg" 2>/dev/null | grep -q '^ii' || missing="$$missing $$pkg"; \
	done; \
	$(APT_INSTALL)

sysdeps: pdfdeps
	@label="sysdeps (chromium, poppler-utils, postgresql-15)"; missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	{ command -v pdftoppm && command -v pdftotext; } >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	for tool in initdb pg_ctl postgres psql; do \
	    if [ ! -x "$(PG_BIN)/$$tool" ]; then missing="$$missing postgresql-15"; break; fi; \
	done; \
	$(APT_INSTALL)

# --- Development server ---------------------------------------------------------------------
run: pdfdeps $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_seeds
	$(PY) manage.py ensure_demo_users
	@echo "== PDF 작업자를 서버 옆에서 시작합니다 (회기 책자 PDF는 작업자가 만듭니다; 멈추면 함께 멈춤)"
	@$(PY) manage.py pdf_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null || true' EXIT; \
	$(PY) manage.py runserver 127.0.0.1:8000

# --- Production server (README "운영 서버") ------------------------------------------------
# With the production environment set (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, ...): static
# files collected into STATIC_ROOT, then gunicorn; it refuses to start while migrations are
# pending (run `manage.py migrate` as the database owner role first). PDF workers: make worker.
serve: pdfdeps $(STAMP)
	$(PY) manage.py collectstatic --noinput -v0
	@$(PY) manage.py migrate --check >/dev/null || { 	    echo "== 적용하지 않은 마이그레이션이 있습니다: 먼저 'manage.py migrate'를 실행하세요 (데이터베이스 소유자 역할로)" >&2; 	    exit 1; }
	exec $(VENV)/bin/gunicorn -c config/gunicorn.conf.py config.wsgi

# PDF workers only (no server): on this machine for more cores, or on another machine that
# shares the database and PDF_BUILD_ROOT. E.g. make worker WORKER_ARGS='--processes 4'
worker: pdfdeps $(STAMP)
	$(PY) manage.py pdf_worker $(WORKER_ARGS)

# --- Tests ----------------------------------------------------------------------------------
# Both databases always run; the target fails if either run fails (or collects no tests).
# The two databases run side by side (one core each on a 2-core CI machine); each run's output
# is kept in a file and printed whole when it ends, PostgreSQL first.
test: sysdeps $(STAMP)
	@# The layers only point down (README "코드 구성"): a new upward import fails CI here.
	$(VENV)/bin/lint-imports --no-cache
	@logs=$$(mktemp -d); pg=0; lite=0; \
	PYTHON=$(PY) PG_BIN=$(PG_BIN) bash tests/run_suite.sh postgres $(PYTEST_ARGS) >$$logs/postgres.log 2>&1 & pgpid=$$!; \
	PYTHON=$(PY) bash tests/run_suite.sh sqlite $(PYTEST_ARGS) >$$logs/sqlite.log 2>&1 & litepid=$$!; \
	echo "== make test: PostgreSQL and SQLite running side by side (output follows when each ends)"; \
	wait $$pgpid || pg=$$?; cat $$logs/postgres.log; \
	wait $$litepid || lite=$$?; cat $$logs/sqlite.log; rm -rf $$logs; \
	echo "== make test: postgres exit $$pg, sqlite exit $$lite"; \
	[ $$pg -eq 0 ] && [ $$lite -eq 0 ]

test-postgres: sysdeps $(STAMP)
	PYTHON=$(PY) PG_BIN=$(PG_BIN) bash tests/run_suite.sh postgres $(PYTEST_ARGS)

test-sqlite: $(STAMP)
	PYTHON=$(PY) bash tests/run_suite.sh sqlite $(PYTEST_ARGS)

# --- Benchmarks and lint --------------------------------------------------------------------
# With no BENCH_ARGS, bench also runs the mixed load (readers, staff saving through the admin and
# the staff API, a clerk publishing, two PDF workers) on SQLite and PostgreSQL for
# MIXED_LOAD_SECONDS each, and prints its figures: requests, server errors, lost saves.
MIXED_LOAD_SECONDS ?= 30

# The readers part measures with wrk (Debian package), installed here when missing.
benchdeps:
	@label="benchdeps (wrk)"; missing=""; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	$(APT_INSTALL)

bench: pdfdeps benchdeps $(STAMP)
	$(PY) manage.py bench $(BENCH_ARGS)
	@if [ -z "$(BENCH_ARGS)" ]; then $(MAKE) --no-print-directory bench-mixed; fi

bench-mixed: sysdeps $(STAMP)
	@rc=0; for db in sqlite postgres; do \
	    echo "== bench: mixed load on $$db for $(MIXED_LOAD_SECONDS) s"; \
	    MIXED_LOAD_SECONDS=$(MIXED_LOAD_SECONDS) PYTHON=$(PY) PG_BIN=$(PG_BIN) \
	        bash tests/run_suite.sh $$db tests/test_mixed_load.py -q -s -p no:cacheprovider \
	        >$(VENV)/bench-mixed-$$db.log 2>&1 || rc=1; \
	    grep -E '^mixed load' $(VENV)/bench-mixed-$$db.log || { tail -n 40 $(VENV)/bench-mixed-$$db.log; rc=1; }; \
	done; exit $$rc

# --- Backups (README: 백업과 복구) ------------------------------------------------------------
# No $(STAMP) prerequisite: a nightly cron job must not reinstall packages.
backup:
	$(PY) manage.py backup $(BACKUP_ARGS)

lint: $(STAMP)
	@rc=0; \
	$(VENV)/bin/ruff check . || rc=1; \
	$(VENV)/bin/ruff format --check . || rc=1; \
	$(VENV)/bin/lint-imports --no-cache || rc=1; \
	exit $$rc
