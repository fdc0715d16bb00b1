# The README's two commands are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install install-checkers run test lint check bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

# The page checkers: the Nu HTML Checker and axe-core from npm, run with the
# system's Java and Chromium (installed from Debian's packages when missing
# and this is root). Where they cannot be had, their tests are skipped, so
# this step only says so; under CI=true a missing checker is an error.
$(VENV)/.checkers: $(VENV)/.installed tests/browser/package-lock.json
	@set -e; \
	missing() { \
		if [ "$$CI" = true ]; then echo "$$1 is missing: CI runs every page check." >&2; exit 1; fi; \
		echo "$$1 is missing: the page checks will be skipped."; \
	}; \
	command -v npm >/dev/null || { missing npm; exit 0; }; \
	npm --prefix tests/browser ci --no-audit --no-fund --loglevel=error; \
	command -v java >/dev/null && command -v chromium >/dev/null || \
		{ [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless chromium >/dev/null; } || \
		missing "Java or Chromium"; \
	touch $@

# nginx, for the test of the sample front cache (deploy/): installed from
# Debian's packages when missing and this is root, else that test is skipped
# (an error under CI=true).
$(VENV)/.nginx: $(VENV)/.installed
	@set -e; \
	if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then \
		{ [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; } || \
		{ if [ "$$CI" = true ]; then echo "nginx is missing: CI tests the front cache." >&2; exit 1; fi; \
		  echo "nginx is missing: the front cache test will be skipped."; exit 0; }; \
	fi; \
	touch $@

install: $(VENV)/.installed

install-checkers: $(VENV)/.checkers

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --admin
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install install-checkers $(VENV)/.nginx
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	$(PY) manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-key-0123456789abcdef \
		ALLOWED_HOSTS=example.org $(PY) manage.py check --deploy --fail-level WARNING

bench: install
	$(PY) bench/article_page.py
