# The two commands that matter: `make run` and `make test`. Everything installs from requirements.lock.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in emails point at the server `make run` starts, unless SITE_URL says otherwise.
SITE_URL ?= http://$(HOST):$(PORT)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# The suite runs in one pytest-xdist worker per core (tests/workers.py gives each its services).
PYTEST_WORKERS ?= auto

.PHONY: install run test lint format check messages migrate demo worker beat serve bench bench-check bench-reminders bench-dashboard lock clean mlflow litellm

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Then the SDK and its `portal` command (sdk/), editable, so its tests run with the suite.
$(STAMP): requirements.lock sdk/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e ./sdk
	touch $(STAMP)

install: $(STAMP)

# The MLflow tracking server the eval evidence tests run (tests/releases/conftest.py), in a venv
# of its own so that the app's requirements.lock stays free of it.
MLFLOW_VERSION := 3.17.2
MLFLOW_VENV := .ci/mlflow-venv

$(MLFLOW_VENV)/bin/mlflow:
	$(PYTHON) -m venv $(MLFLOW_VENV)
	$(MLFLOW_VENV)/bin/python -m pip install --quiet mlflow==$(MLFLOW_VERSION)

mlflow: $(MLFLOW_VENV)/bin/mlflow

# The LiteLLM proxy of the gateway tests, in a venv of its own (not in requirements.lock).
LITELLM_VENV := .ci/litellm-venv
$(LITELLM_VENV)/.installed: .ci/litellm-requirements.txt
	$(PYTHON) -m venv $(LITELLM_VENV)
	$(LITELLM_VENV)/bin/python -m pip install --quiet -r .ci/litellm-requirements.txt
	touch $@

litellm: $(LITELLM_VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# runserver, and beside it a Celery worker with beat (the reminder sweep and the other periodic
# tasks; without REDIS_URL on a broker in .celery-broker/), stopped when runserver stops.
run: demo
	@echo "Serving http://$(HOST):$(PORT) (demo users and password: see README.md)"
	export SITE_URL='$(SITE_URL)'; \
	$(BIN)/python manage.py embedded_worker --loglevel=WARNING & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; trap 'exit 130' INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check_translations
	$(BIN)/mypy portal scenarios exceptions releases incidents support staffing dashboard directory identity integrations gateway
	$(BIN)/mypy --config-file sdk/pyproject.toml sdk/src

# The Russian catalogue: every marked string gathered into locale/ru/LC_MESSAGES/django.po
# (translations kept), then compiled into django.mo; both are committed. Needs GNU gettext.
messages: install
	$(BIN)/python manage.py check_translations --update

worker: install
	$(BIN)/celery -A portal worker --loglevel=INFO --concurrency=2

beat: install
	$(BIN)/celery -A portal beat --loglevel=INFO

serve: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn portal.wsgi:application --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} \
		--access-logfile - --forwarded-allow-ips="$${FORWARDED_ALLOW_IPS:-127.0.0.1}"

bench: install
	$(BIN)/python bench/load.py

bench-check: install
	$(BIN)/python bench/load.py --check

bench-reminders: install
	$(BIN)/python bench/reminders.py

bench-dashboard: install
	$(BIN)/python bench/dashboard.py

lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .celery-broker .pytest_cache .ruff_cache .mypy_cache
