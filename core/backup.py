"""Backup and restore of the whole platform: the database, the file roots and the keys.

A backup is a directory with three parts and a manifest:

- ``database.dump`` (PostgreSQL, ``pg_dump -Fc``) or ``database.sqlite3`` (SQLite, the
  online backup API), taken in one consistent snapshot;
- ``files.tar.gz``: ``MEDIA_ROOT``, ``PRIVATE_ROOT`` (sealed documents, contract drafts),
  ``REPORT_ATTACHMENT_ROOT`` and ``PLATFORM_KEYS_DIR`` (a root inside another root is
  archived once, as part of the outer one);
- ``manifest.json``: when, which code and migrations, the row count of every table in
  the same snapshot as the dump, and the SHA-256 of each part.

``restore`` checks every hash before touching anything, refuses a database that already
has tables (or files that differ from the backup) unless forced, restores, and then
compares every table's row count with the manifest. See ``docs/operations.md``.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.client import DatabaseClient as PostgresClient
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files.tar.gz"
DUMPS = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup or restore that can't go on; the message says why, in the user's language."""


# --- file roots ----------------------------------------------------------------------------


def file_roots():
    """name -> configured directory, outer roots first."""
    return {
        "media": Path(settings.MEDIA_ROOT),
        "private": Path(settings.PRIVATE_ROOT),
        "report-attachments": Path(settings.REPORT_ATTACHMENT_ROOT),
        "keys": Path(settings.PLATFORM_KEYS_DIR),
    }


def _layout(roots):
    """name -> (archived under, prefix inside it): a root inside another travels with it."""
    resolved = {name: path.resolve() for name, path in roots.items()}
    layout = {}
    for name, path in resolved.items():
        parent = None
        for other, other_path in resolved.items():
            inside = other != name and path != other_path and path.is_relative_to(other_path)
            if inside and (parent is None or other_path.is_relative_to(resolved[parent])):
                parent = other
        layout[name] = (parent, path.relative_to(resolved[parent]).as_posix()) if parent else (name, "")
    return layout


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _archive_files(target, roots, layout):
    with tarfile.open(target, "w:gz") as archive:
        for name, path in roots.items():
            if layout[name] == (name, "") and path.is_dir():
                archive.add(path, arcname=name, recursive=True, filter=_regular_only)


def _regular_only(member):
    return member if member.isfile() or member.isdir() else None


def _member_target(member_name, roots, layout):
    """Where an archived path goes now: the most specific root whose place it is under."""
    parts = PurePosixPath(member_name).parts
    if not parts or member_name.startswith("/") or ".." in parts:
        raise BackupError(_("备份中的文件路径不安全：%(name)s") % {"name": member_name})
    best = None
    for name, (archived_under, prefix) in layout.items():
        if name not in roots:
            continue
        head = (archived_under, *PurePosixPath(prefix).parts) if prefix else (archived_under,)
        if parts[: len(head)] == head and (best is None or len(head) > len(best[1])):
            best = (name, head)
    if best is None:
        return None
    name, head = best
    return roots[name].joinpath(*parts[len(head) :])


# --- database ------------------------------------------------------------------------------


def _quoted_count(cursor, connection, table):
    # The name comes from the database's own catalogue and is quoted by the backend.
    cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
    return cursor.fetchone()[0]


def table_counts(connection):
    with connection.cursor() as cursor:
        names = sorted(connection.introspection.table_names(cursor))
        return {name: _quoted_count(cursor, connection, name) for name in names}


def applied_migrations(connection):
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return {}
    state = {}
    for app, name in sorted(recorder.applied_migrations()):
        state.setdefault(app, []).append(name)
    return state


def postgres_bin(program, connection):
    """The PostgreSQL client program of the server's major version (as with-postgres.sh finds
    the server): ``BACKUP_PG_BIN_DIR`` if set, else ``/usr/lib/postgresql/<major>/bin``, else
    the newest installed one that is not older than the server, else ``PATH``."""
    major = connection.pg_version // 10000
    candidates = []
    if settings.BACKUP_PG_BIN_DIR:
        candidates.append(Path(settings.BACKUP_PG_BIN_DIR) / program)
    candidates.append(Path(f"/usr/lib/postgresql/{major}/bin") / program)
    installed = []
    for directory in Path("/usr/lib/postgresql").glob("*/bin"):
        if directory.parent.name.isdigit() and int(directory.parent.name) >= major:
            installed.append((int(directory.parent.name), directory / program))
    candidates.extend(path for _version, path in sorted(installed, reverse=True))
    if found := shutil.which(program):
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            version = subprocess.run(  # noqa: S603 - an argument list, no shell
                [str(candidate), "--version"], capture_output=True, text=True, check=False
            ).stdout
            match = re.search(r"(\d+)", version)
            if match and int(match.group(1)) >= major:
                return str(candidate)
    raise BackupError(
        _(
            "找不到与数据库服务器（PostgreSQL %(major)s）版本相符的 %(program)s，请安装客户端或设置 BACKUP_PG_BIN_DIR。"
        )
        % {"major": major, "program": program}
    )


def _pg_args_env(settings_dict):
    """Connection arguments and environment for pg_dump / pg_restore (password, SSL, service)."""
    _args, env = PostgresClient.settings_to_cmd_args_env(settings_dict, [])
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    args += ["-d", settings_dict["NAME"] or "postgres"]
    return args, {**os.environ, **(env or {})}


def _run(command, env=None):
    # An argument list built here from settings, never a shell string.
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s 失败（退出码 %(code)s）：%(error)s")
            % {"program": Path(command[0]).name, "code": result.returncode, "error": result.stderr.strip()}
        )
    return result


def _dump_postgres(alias, target):
    """pg_dump in the snapshot the row counts were taken in, so the two agree exactly."""
    connection = connections.create_connection(alias)
    try:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts(connection)
            migrations = applied_migrations(connection)
            args, env = _pg_args_env(connection.settings_dict)
            pg_dump = postgres_bin("pg_dump", connection)
            _run(
                [
                    pg_dump,
                    "-Fc",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(target),
                    *args,
                ],
                env=env,
            )
            cursor.execute("COMMIT")
    finally:
        connection.close()
    return counts, migrations


def _sqlite_raw(connection):
    connection.ensure_connection()
    return connection.connection


def _dump_sqlite(alias, target):
    """The online backup API copies a consistent snapshot; counts are read from the copy."""
    source = _sqlite_raw(connections[alias])
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    finally:
        copy.close()
    from django.db.backends.sqlite3.base import DatabaseWrapper

    snapshot = DatabaseWrapper(
        {**connections[alias].settings_dict, "NAME": str(target), "OPTIONS": {}}, alias
    )
    try:
        return table_counts(snapshot), applied_migrations(snapshot)
    finally:
        snapshot.close()


# --- backup --------------------------------------------------------------------------------


def backup(output, *, alias=DEFAULT_DB_ALIAS):
    """Write a backup into the directory ``output`` (new or empty); return the manifest."""
    output = Path(output)
    if output.exists() and any(output.iterdir()):
        raise BackupError(_("备份目录 %(path)s 不是空目录，请指定新目录。") % {"path": output})
    output.mkdir(parents=True, exist_ok=True, mode=0o700)
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(_("不支持备份该类型的数据库：%(vendor)s") % {"vendor": vendor})
    dump = output / DUMPS[vendor]
    started = timezone.localtime()
    if vendor == "postgresql":
        counts, migrations = _dump_postgres(alias, dump)
    else:
        counts, migrations = _dump_sqlite(alias, dump)
    roots = file_roots()
    layout = _layout(roots)
    _archive_files(output / FILES, roots, layout)
    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "platform_version": settings.PLATFORM_VERSION,
        "django_version": django.get_version(),
        "database": {"vendor": vendor, "file": dump.name},
        "migrations": migrations,
        "tables": counts,
        "roots": {
            name: {"path": str(path), "archived_under": layout[name][0], "prefix": layout[name][1]}
            for name, path in roots.items()
        },
        "parts": {
            part.name: {"sha256": sha256_file(part), "bytes": part.stat().st_size}
            for part in (dump, output / FILES)
        },
    }
    (output / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    for part in output.iterdir():
        part.chmod(0o600)  # the backup holds the platform's private keys
    return manifest


# --- restore -------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    manifest: dict
    tables: int
    rows: int
    files: int
    pending_migrations: list


def read_manifest(directory):
    directory = Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BackupError(_("%(path)s 中没有 manifest.json，不是平台备份。") % {"path": directory}) from exc
    except json.JSONDecodeError as exc:
        raise BackupError(_("manifest.json 无法解析：%(error)s") % {"error": exc}) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(_("不支持的备份格式：%(format)s") % {"format": manifest.get("format")})
    return manifest


def check_parts(directory, manifest):
    """Every part is present and has the SHA-256 the manifest records."""
    for name, part in sorted(manifest["parts"].items()):
        path = Path(directory) / name
        if not path.is_file():
            raise BackupError(_("备份缺少文件 %(name)s。") % {"name": name})
        if sha256_file(path) != part["sha256"]:
            raise BackupError(
                _("备份文件 %(name)s 的 SHA-256 与清单不符，文件已损坏或被改动。") % {"name": name}
            )


def _database_tables(connection):
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def _planned_files(directory, roots, layout):
    """(member, target) pairs of the archive, each checked to stay inside its root."""
    with tarfile.open(Path(directory) / FILES, "r:gz") as archive:
        planned = []
        for member in archive.getmembers():
            target = _member_target(member.name, roots, layout)
            if target is not None and (member.isfile() or member.isdir()):
                planned.append((member, target))
        return planned


def _conflicting_files(directory, planned):
    conflicts = []
    with tarfile.open(Path(directory) / FILES, "r:gz") as archive:
        for member, target in planned:
            if not member.isfile() or not target.exists():
                continue
            if not target.is_file() or archive.extractfile(member).read() != target.read_bytes():
                conflicts.append(target)
    return conflicts


def _restore_postgres(alias, dump, force):
    connection = connections[alias]
    if force:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()
    args, env = _pg_args_env(connection.settings_dict)
    pg_restore = postgres_bin("pg_restore", connection)
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *args,
            str(dump),
        ],
        env=env,
    )


def _restore_sqlite(alias, dump):
    target = _sqlite_raw(connections[alias])
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        source.backup(target)
    finally:
        source.close()
    connections[alias].close()


def _extract(directory, planned):
    count = 0
    with tarfile.open(Path(directory) / FILES, "r:gz") as archive:
        for member, target in planned:
            # Modes as they were: keys stay 0600, media stays readable by the web server.
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True, mode=0o700)
                target.chmod(member.mode & 0o777 or 0o700)
                continue
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with archive.extractfile(member) as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
            target.chmod(member.mode & 0o777 or 0o600)
            count += 1
    return count


def _pending_migrations(connection):
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def restore(directory, *, alias=DEFAULT_DB_ALIAS, force=False):
    """Restore the backup in ``directory`` into the database ``alias`` and the file roots."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    check_parts(directory, manifest)
    connection = connections[alias]
    vendor = manifest["database"]["vendor"]
    if connection.vendor != vendor:
        raise BackupError(
            _("备份来自 %(source)s 数据库，不能恢复到 %(target)s 数据库。")
            % {"source": vendor, "target": connection.vendor}
        )
    roots = file_roots()
    layout = {name: (item["archived_under"], item["prefix"]) for name, item in manifest["roots"].items()}
    planned = _planned_files(directory, roots, layout)
    if not force:
        if existing := _database_tables(connection):
            raise BackupError(
                _("目标数据库不是空的（已有 %(n)s 张表）。确认要覆盖时请加 --force。") % {"n": len(existing)}
            )
        if conflicts := _conflicting_files(directory, planned):
            raise BackupError(
                _("%(n)s 个文件已存在且与备份不同（例如 %(path)s）。确认要覆盖时请加 --force。")
                % {"n": len(conflicts), "path": conflicts[0]}
            )
    dump = directory / manifest["database"]["file"]
    if vendor == "postgresql":
        _restore_postgres(alias, dump, force)
    else:
        _restore_sqlite(alias, dump)
    files = _extract(directory, planned)

    counts = table_counts(connection)
    expected = manifest["tables"]
    differences = [
        f"{table}: {expected.get(table, '—')} → {counts.get(table, '—')}"
        for table in sorted(set(expected) | set(counts))
        if expected.get(table) != counts.get(table)
    ]
    if differences:
        raise BackupError(
            _("恢复后的数据与备份清单不符：%(tables)s") % {"tables": "; ".join(differences[:20])}
        )
    return RestoreResult(
        manifest=manifest,
        tables=len(counts),
        rows=sum(counts.values()),
        files=files,
        pending_migrations=_pending_migrations(connection),
    )
