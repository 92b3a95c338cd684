"""Production configuration: `manage.py check --deploy` is clean with the variables of .env.example and the
secrets of `generate_secrets`; without what production needs, every entry point refuses, naming it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
VENDOR = ROOT / "src" / "nqihub" / "web" / "static" / "vendor"
REQUIRED = (
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "PUBLIC_BASE_URL",
)


def _env_example() -> dict[str, str]:
    env = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    return env


def _clean_env(**extra) -> dict[str, str]:
    """This process's environment without any of the platform's own variables, plus ``extra``."""
    names = set(_env_example()) | set(REQUIRED) | {"DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in names}
    env.update(extra)
    return env


def _manage(*args, env, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _secrets() -> dict[str, str]:
    result = _manage("generate_secrets", env=_clean_env(DEBUG="true"))
    assert result.returncode == 0, result.stderr
    pairs = dict(line.split("=", 1) for line in result.stdout.splitlines() if re.match(r"^[A-Z_]+=", line))
    return pairs


def test_generate_secrets_prints_a_ready_env_block_of_new_secrets():
    first, second = _secrets(), _secrets()
    assert {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS"} <= set(first)
    assert len(first["SECRET_KEY"]) >= 50 and first["SECRET_KEY"] != second["SECRET_KEY"]
    assert first["FIELD_ENCRYPTION_KEYS"] != second["FIELD_ENCRYPTION_KEYS"]
    assert all(value and " " not in value for value in first.values())


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = _clean_env(**_env_example())
    env.update(_secrets())
    env.update(STATIC_ROOT=str(tmp_path / "static"), PRIVATE_FILES_ROOT=str(tmp_path / "private"))
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = _clean_env(DEBUG="false", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    result = _manage("check", env=env)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_a_deploy_check_fails_without_redis_when_debug_is_off(tmp_path):
    env = _clean_env(**_env_example())
    env.update(_secrets())
    del env["REDIS_URL"]
    result = _manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "REDIS_URL is not set" in result.stderr


def test_preflight_names_everything_that_is_missing(tmp_path):
    env = _clean_env(DEBUG="false", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    result = _manage("preflight", "--no-connect", env=env)
    assert result.returncode == 1
    for name in REQUIRED:
        assert name in result.stderr, name
    assert "PostgreSQL" in result.stderr


def test_preflight_names_a_service_that_does_not_answer(tmp_path):
    env = _clean_env(**_env_example())
    env.update(_secrets())
    env.update(
        DATABASE_URL="postgres://nobody@127.0.0.1:1/nqihub",
        REDIS_URL="redis://127.0.0.1:1/0",
        CELERY_BROKER_URL="redis://127.0.0.1:1/1",
        DB_CONNECT_TIMEOUT="2",
        PRIVATE_FILES_ROOT=str(tmp_path / "private"),
    )
    result = _manage("preflight", env=env)
    assert result.returncode == 1
    for label in ("PostgreSQL (DATABASE_URL) does not answer", "Redis (REDIS_URL) does not answer", "broker"):
        assert label in result.stderr, result.stderr


@pytest.mark.parametrize("module", ["nqihub.wsgi"])
def test_the_web_process_refuses_to_start_naming_what_is_missing(tmp_path, module):
    env = _clean_env(
        DEBUG="false", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}", PYTHONPATH=str(ROOT / "src")
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 78, result.stderr
    assert "refuses to start" in result.stderr
    assert all(name in result.stderr for name in ("SECRET_KEY", "REDIS_URL", "ALLOWED_HOSTS"))


def test_every_source_map_the_vendored_assets_name_is_there():
    """The defect: with DEBUG off the hashed static storage refused to collect because two Bootstrap source
    maps named by sourceMappingURL were never copied, and every page answered 500."""
    if not VENDOR.is_dir():
        pytest.skip("front-end assets not installed (make assets)")
    named = []
    for path in VENDOR.rglob("*"):
        if path.suffix in {".js", ".css"}:
            for match in re.finditer(
                r"sourceMappingURL=([^\s*]+)", path.read_text(encoding="utf-8", errors="replace")
            ):
                named.append((path, path.parent / match.group(1)))
    assert named, "no source map references found: did the vendored files change?"
    missing = [f"{p.relative_to(VENDOR)} → {m.name}" for p, m in named if not m.is_file()]
    assert missing == []
