"""Backup → wipe → restore round trip on a database of its own (the suite's vendor: SQLite, or PostgreSQL when
the suite runs there): every table's row count and every file's hash equal afterwards; a damaged backup is
refused before anything changes. (One test: building the database is the slow part.)"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[4]

SNAPSHOT = """
import hashlib, json, os, sys
from django.apps import apps
from django.conf import settings
counts = {m._meta.label: m._default_manager.count() for m in apps.get_models(include_auto_created=True)}
files = {}
for folder, _dirs, names in os.walk(settings.PRIVATE_FILES_ROOT):
    for name in names:
        path = os.path.join(folder, name)
        files[os.path.relpath(path, settings.PRIVATE_FILES_ROOT)] = hashlib.sha256(open(path, "rb").read()).hexdigest()
sys.stdout.write(json.dumps({"counts": counts, "files": files}))
"""

POPULATE = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from nqihub.accounts.models import User
from nqihub.core.files import random_name
from nqihub.core.models import Organisation, WorkdayOverride
import datetime
User.objects.create_user("backup_probe", password="NqiDemo@2026-x", email="probe@example.test")
Organisation.objects.create(name="示例备份测试机构", kind="station", region_id="450202")
WorkdayOverride.objects.create(date=datetime.date(2031, 2, 3), is_working_day=False, name="春节（示例）")
for i in range(3):
    default_storage.save(random_name("desk", "f.pdf"), ContentFile(b"%PDF-1.4 backup probe " + bytes([i]) * 2000))
"""


class Database:
    """A throw-away database of the suite's vendor."""

    def __init__(self, tmp_path: Path):
        self.vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        if self.vendor == "sqlite3":
            self.path = tmp_path / "backup-test.sqlite3"
            self.url = f"sqlite:///{self.path}"
        else:
            db = settings.DATABASES["default"]
            self.params = {k.lower(): db[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if db.get(k)}
            self.name = f"nqihub_backup_test_{os.getpid()}"
            auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
            self.url = (
                f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{self.name}"
            )
        self.wipe()

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.params) as conn:
            conn.execute(sql)

    def wipe(self) -> None:
        """Drop everything: the database is empty (PostgreSQL) or gone (SQLite)."""
        if self.vendor == "sqlite3":
            self.path.unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.vendor != "sqlite3":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')


@pytest.fixture
def database(tmp_path):
    db = Database(tmp_path)
    yield db
    db.drop()


def _run(env, *args, stdin=None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return result


def _snapshot(env) -> dict:
    result = _run(env, "shell", "-c", SNAPSHOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_backup_wipe_restore_gives_back_every_row_and_every_file_and_refuses_a_damaged_backup(
    database, tmp_path
):
    private = tmp_path / "private"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        DEBUG="true", DATABASE_URL=database.url, PRIVATE_FILES_ROOT=str(private), STORAGE_BACKEND="local"
    )
    for step in (("migrate", "--no-input", "-v", "0"), ("load_reference",), ("shell", "-c", POPULATE)):
        result = _run(env, *step)
        assert result.returncode == 0, f"{step}: {result.stdout}{result.stderr}"
    before = _snapshot(env)
    assert before["counts"]["core.Region"] > 3000 and before["counts"]["accounts.User"] == 1
    assert len(before["files"]) == 3

    backup = tmp_path / "backup"
    result = _run(env, "backup", str(backup))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["core_region"] == before["counts"]["core.Region"]
    assert {f["name"] for f in manifest["files"]} == set(before["files"])
    assert all(f["sha256"] == before["files"][f["name"]] for f in manifest["files"])
    assert _run(env, "backup", str(backup)).returncode != 0  # never over an existing backup

    # Wipe: the database and the files are gone.
    database.wipe()
    for path in sorted(private.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()

    result = _run(env, "restore", str(backup), "--no-input")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every count and hash equal" in result.stdout
    after = _snapshot(env)
    assert after == before

    # A damaged backup is refused before anything changes.
    victim = next(p for p in (backup / "files").rglob("*") if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"tampered")
    deleted = _run(env, "shell", "-c", "from nqihub.accounts.models import User; User.objects.all().delete()")
    assert deleted.returncode == 0
    result = _run(env, "restore", str(backup), "--no-input")
    assert (
        result.returncode != 0 and "damaged" in result.stderr and "does not match its hash" in result.stderr
    )
    assert _snapshot(env)["counts"]["accounts.User"] == 0
    result = _run(env, "restore", str(tmp_path / "nowhere"), "--no-input")
    assert result.returncode != 0 and "not a backup directory" in result.stderr
