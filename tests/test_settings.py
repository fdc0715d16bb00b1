"""Settings from the environment: production refuses unsafe defaults and passes check --deploy."""

import os
import subprocess
import sys

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-test-0123456789-abcdefghijkl",
    "ALLOWED_HOSTS": "research.example.org",
}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def test_production_without_a_secret_key_refuses_to_start():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment when DEBUG is off." in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_must_be_zero_or_one():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG must be 0 or 1" in result.stderr


def test_database_connections_are_reused(settings):
    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] > 0 and database["CONN_HEALTH_CHECKS"] is True


def test_cache_keys_carry_the_release(settings):
    assert len(settings.CACHES["default"]["KEY_PREFIX"]) == 12
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CACHES)",
        RELEASE="r42",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert "'KEY_PREFIX': 'r42'" in result.stdout and "RedisCache" in result.stdout
