"""Backups: the database and every stored file in one directory, with a manifest of row counts and hashes.

``DIR/manifest.json`` — vendor, schema (last migration of each app), the row count of every table, the
SHA-256 of the database dump and of every file; ``DIR/database.dump`` (PostgreSQL: ``pg_dump`` custom
format) or ``DIR/database.sqlite3`` (SQLite: its online backup API); ``DIR/files/<name>`` — every object of
the file storage (local directory or S3 bucket) under its own name.

The counts are those of the dump itself: on PostgreSQL they are taken in the exported snapshot that
``pg_dump --snapshot`` then dumps; on SQLite they are counted in the copy. ``restore`` checks every hash
before it changes anything, restores, then counts and hashes again and fails loudly on any difference.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_DUMP = "database.sqlite3"
FILES = "files"
CHUNK = 1024 * 1024


class BackupError(RuntimeError):
    pass


def sha256_of(handle) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(CHUNK), b""):
        digest.update(block)
    return digest.hexdigest()


def sha256_path(path: Path) -> str:
    with path.open("rb") as fh:
        return sha256_of(fh)


# --- what is stored -------------------------------------------------------------------------------------


def storage_names(directory: str = "") -> list[str]:
    """Every object name in the default storage, sorted."""
    try:
        subdirs, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return []
    prefix = f"{directory}/" if directory else ""
    names = [prefix + name for name in files]
    for sub in subdirs:
        names += storage_names(prefix + sub)
    return sorted(names)


def storage_hashes() -> dict[str, str]:
    hashes = {}
    for name in storage_names():
        with default_storage.open(name, "rb") as fh:
            hashes[name] = sha256_of(fh)
    return hashes


def _tables(conn) -> list[str]:
    with conn.cursor() as cursor:
        return sorted(conn.introspection.table_names(cursor))


def _count(cursor, quote, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (introspected table names)
        counts[table] = cursor.fetchone()[0]
    return counts


def table_counts() -> dict[str, int]:
    """Rows of every table of the live database."""
    with connection.cursor() as cursor:
        return _count(cursor, connection.ops.quote_name, _tables(connection))


def schema_state() -> dict[str, str]:
    """The last applied migration of each app."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        state: dict[str, str] = {}
        for app, name in cursor.fetchall():
            state[app] = max(state.get(app, ""), name)
    return state


# --- PostgreSQL -----------------------------------------------------------------------------------------


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options = db.get("OPTIONS", {})
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    args += ["--dbname", str(db["NAME"])]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client)")
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def _pg_dump(target: Path) -> dict[str, int]:
    env, args = _pg_env_and_args()
    with connection.cursor() as cursor:
        # One snapshot for the counts and the dump: they describe the same data.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count(cursor, connection.ops.quote_name, _tables(connection))
            _run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    *args,
                ],
                env,
            )
        finally:
            cursor.execute("ROLLBACK")
    return counts


def _pg_restore(source: Path) -> None:
    connections.close_all()
    env, args = _pg_env_and_args()
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            str(source),
        ],
        env,
    )


# --- SQLite ---------------------------------------------------------------------------------------------


def _sqlite_path() -> str:
    return str(settings.DATABASES["default"]["NAME"])


def _sqlite_dump(target: Path) -> dict[str, int]:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
        cursor = destination.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
        tables = [row[0] for row in cursor.fetchall()]
        return _count(cursor, lambda name: '"' + name.replace('"', '""') + '"', tables)
    finally:
        destination.close()


def _sqlite_restore(source: Path) -> None:
    connections.close_all()
    origin = sqlite3.connect(source)
    destination = sqlite3.connect(_sqlite_path())
    try:
        origin.backup(destination)
    finally:
        origin.close()
        destination.close()


# --- backup and restore ---------------------------------------------------------------------------------


@dataclass
class Result:
    directory: Path
    tables: int
    rows: int
    files: int
    problems: list[str]


def _dump_name() -> str:
    return PG_DUMP if connection.vendor == "postgresql" else SQLITE_DUMP


def backup(directory: Path, *, log: Callable[[str], None] = lambda s: None) -> Result:
    """Write a backup of the database and the files into ``directory`` (new or empty)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: back up into a new directory")
    if connection.vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {connection.vendor}")
    directory.mkdir(parents=True, exist_ok=True)
    dump = directory / _dump_name()
    log(f"database → {dump.name}")
    counts = _pg_dump(dump) if connection.vendor == "postgresql" else _sqlite_dump(dump)
    files = []
    for name in storage_names():
        target = directory / FILES / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as src, target.open("wb") as out:
            shutil.copyfileobj(src, out, CHUNK)
        files.append({"name": name, "size": target.stat().st_size, "sha256": sha256_path(target)})
    log(f"files → {FILES}/ ({len(files)})")
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "schema": schema_state(),
        "database": {"file": dump.name, "size": dump.stat().st_size, "sha256": sha256_path(dump)},
        "tables": counts,
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return Result(directory, len(counts), sum(counts.values()), len(files), [])


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{path} not found: not a backup directory") from None
    except ValueError as exc:
        raise BackupError(f"{path} is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def verify_backup(directory: Path, manifest: dict) -> list[str]:
    """Differences between the backup's files and its manifest (tampering, a partial copy)."""
    directory = Path(directory)
    problems = []
    dump = directory / manifest["database"]["file"]
    if not dump.is_file():
        problems.append(f"{dump.name} is missing")
    elif sha256_path(dump) != manifest["database"]["sha256"]:
        problems.append(f"{dump.name} does not match its hash")
    for entry in manifest["files"]:
        path = directory / FILES / entry["name"]
        if not path.is_file():
            problems.append(f"file {entry['name']} is missing")
        elif sha256_path(path) != entry["sha256"]:
            problems.append(f"file {entry['name']} does not match its hash")
    return problems


def compare(manifest: dict) -> list[str]:
    """Differences between the live database and files and the manifest."""
    problems = []
    live = table_counts()
    for table, expected in manifest["tables"].items():
        if live.get(table) != expected:
            problems.append(f"table {table}: {live.get(table)} rows, the backup has {expected}")
    hashes = storage_hashes()
    for entry in manifest["files"]:
        if hashes.get(entry["name"]) != entry["sha256"]:
            problems.append(f"file {entry['name']} differs from the backup")
    return problems


def restore(directory: Path, *, log: Callable[[str], None] = lambda s: None) -> Result:
    """Replace the database and put back every file of the backup in ``directory``; then check."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"this backup is of {manifest['vendor']}; the configured database is {connection.vendor}"
        )
    problems = verify_backup(directory, manifest)
    if problems:
        raise BackupError("the backup is damaged, nothing was restored: " + "; ".join(problems[:20]))
    dump = directory / manifest["database"]["file"]
    log(f"database ← {dump.name}")
    _pg_restore(dump) if connection.vendor == "postgresql" else _sqlite_restore(dump)
    for entry in manifest["files"]:
        name = entry["name"]
        if default_storage.exists(name):
            default_storage.delete(name)
        with (directory / FILES / name).open("rb") as fh:
            saved = default_storage.save(name, File(fh))
        if saved != name:
            raise BackupError(f"file {name} was stored as {saved}")
    log(f"files ← {FILES}/ ({len(manifest['files'])})")
    problems = compare(manifest)
    counts = manifest["tables"]
    return Result(directory, len(counts), sum(counts.values()), len(manifest["files"]), problems)
