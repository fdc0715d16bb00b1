# The README's two commands are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install run test lint check bench

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --admin
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
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
