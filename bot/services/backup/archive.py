"""`liaison-bot backup` / `restore`: one archive of the database rows and the attachments.

The archive's layout and its checks: docs/backup.md."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.db import head_revision, make_engine, normalize_url, upgrade
from bot.services.backup.format import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    Archive,
    BadArchive,
    archive_writer,
    load_rows,
    private_file,
    read_archive,
    safe_relative,
    write_table,
)
from bot.storage import snapshot, sql

__all__ = ["BackupError", "BackupResult", "BadArchive", "RestoreResult", "create_backup", "restore_backup"]

_ATTACHMENT = "attachment"


class BackupError(Exception):
    """A backup or restore not done; `exit_code` for the command line (1: refused as asked, 2: cannot)."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class BackupResult:
    """What a backup holds."""

    path: Path
    backend: str
    revision: str
    counts: dict[str, int]
    files: int
    missing_files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    """What a restore put in place."""

    revision: str
    migrated_to: str | None  # the head revision, when the archive was older
    counts: dict[str, int]
    files: int
    replaced: bool  # rows that were there before were deleted (--force)


def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="liaison-bot-backup-"))  # 0700: it holds personal data


def _collect(rows: Iterator[dict[str, Any]], into: dict[str, str]) -> Iterator[dict[str, Any]]:
    for row in rows:
        into.setdefault(row["storage_path"], row["sha256"])
        yield row


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _check_files(files_dir: Path, wanted: dict[str, str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The files that are there with the right SHA-256, and problems with the others."""
    present: dict[str, dict[str, Any]] = {}
    problems = []
    for storage_path, sha256 in sorted(wanted.items()):
        path = files_dir / storage_path
        if not safe_relative(storage_path):
            problems.append(f"{storage_path}: not a path inside the files folder")
        elif not path.is_file():
            problems.append(f"{storage_path}: missing from {files_dir}")
        elif _sha256(path) != sha256:
            problems.append(f"{storage_path}: its content does not match its SHA-256 {sha256}")
        else:
            present[storage_path] = {"sha256": sha256, "size": path.stat().st_size}
    return present, problems


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("liaison-bot")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without installing
        return "unknown"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def create_backup(url: str, files_dir: Path, out: Path, *, now: datetime, allow_missing: bool = False) -> BackupResult:
    """Write the archive of the database at `url` and its files under `files_dir` to `out` (mode 0600).

    BackupError(exit_code=1) names attachment files missing or damaged (then nothing is written),
    unless `allow_missing`: they are left out and listed in the manifest's `missing_files`.
    """
    workdir = _workdir()
    try:
        wanted: dict[str, str] = {}  # storage_path -> sha256, from the snapshot's attachment rows
        tables: dict[str, Any] = {}
        try:
            with snapshot.snapshot(url, workdir) as connection:
                revision = snapshot.revision(connection)
                if revision is None or revision != head_revision():
                    raise BackupError(
                        f"the database is at schema revision {revision or 'none'}, this liaison-bot's is {head_revision()}: "
                        "run `liaison-bot db upgrade` first"
                    )
                for table in snapshot.tables():
                    rows = snapshot.rows(connection, table)
                    if table.name == _ATTACHMENT:
                        rows = _collect(rows, wanted)
                    tables[table.name] = write_table(workdir / f"{table.name}.jsonl", table, rows)
        except snapshot.NotADatabaseFile as e:
            raise BackupError(str(e)) from None
        except (SQLAlchemyError, sqlite3.Error) as e:
            raise BackupError(f"cannot read the database: {_reason(e)}") from None
        files, problems = _check_files(files_dir, wanted)
        if problems and not allow_missing:
            raise BackupError(
                "attachment files the database refers to are missing or damaged "
                "(--allow-missing-files backs up without them):\n  " + "\n  ".join(problems),
                exit_code=1,
            )
        backend = normalize_url(url).get_backend_name()
        missing = sorted(set(wanted) - set(files))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": _utc(now),
            "created_by": f"liaison-bot {_version()}",
            "backend": backend,
            "schema_revision": revision,
            "tables": tables,
            "files": files,
            "missing_files": missing,
        }
        with private_file(workdir / MANIFEST) as f:
            f.write(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8"))
        with archive_writer(out) as add:
            add(MANIFEST, workdir / MANIFEST)
            for name in tables:
                add(f"db/{name}.jsonl", workdir / f"{name}.jsonl")
            added: set[str] = set()
            for storage_path, entry in files.items():
                if entry["sha256"] in added:
                    continue  # one file, several rows
                if add(f"files/{entry['sha256']}", files_dir / storage_path) != entry["sha256"]:
                    raise BackupError(f"{storage_path} changed while it was being backed up")
                added.add(entry["sha256"])
        return BackupResult(
            path=out,
            backend=backend,
            revision=revision,
            counts={name: entry["rows"] for name, entry in tables.items()},
            files=len(added),
            missing_files=missing,
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- restore -----------------------------------------------------------------------------------


def _check_revision(archive: Archive) -> None:
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    from bot.db import migrations_dir

    script = ScriptDirectory(str(migrations_dir()))
    try:
        known = script.get_revision(archive.revision)
    except (CommandError, RevisionError, AssertionError):
        known = None
    if known is None or known.revision != archive.revision:
        raise BadArchive(
            f"the archive's schema revision {archive.revision!r} is unknown to this liaison-bot "
            f"(its newest is {script.get_current_head()}): restore with the liaison-bot version that made it"
        )


def _checked_rows(archive: Archive) -> dict[str, list[dict[str, Any]]]:
    """Every row of the archive, decoded and checked, by table (insert order)."""
    rows = {table.name: load_rows(archive, table) for table in snapshot.tables() if table.name in archive.tables}
    if archive.revision == head_revision():  # then the archive has every table and column this version has
        for table in snapshot.tables():
            columns = archive.manifest["tables"].get(table.name, {}).get("columns", [])
            if set(columns) != set(table.c.keys()):
                raise BadArchive(f"table {table.name} or some of its columns are missing from the archive")
    recorded = archive.manifest["files"]
    missing = set(archive.manifest.get("missing_files", []))
    for row in rows.get(_ATTACHMENT, []):
        entry = recorded.get(row["storage_path"])
        if row["storage_path"] not in missing and (entry is None or entry["sha256"] != row["sha256"]):
            raise BadArchive(f"attachment {row['id']}: its file {row['storage_path']} is not in the archive")
    return rows


def _put_files(archive: Archive, files_dir: Path) -> None:
    """Put the archive's files in place; a file already there with the right content is kept."""
    root = files_dir.resolve()
    for storage_path, entry in archive.manifest["files"].items():
        target = (files_dir / storage_path).resolve()
        if not target.is_relative_to(root):
            raise BadArchive(f"file path {storage_path!r} leads outside {files_dir}")
        if target.is_file() and _sha256(target) == entry["sha256"]:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        shutil.copyfile(archive.files[entry["sha256"]], partial)
        partial.replace(target)  # never a half-written file under its checksum


def _reason(e: Exception) -> str:
    """A database error's first line, without the statement and its parameters (they hold personal data)."""
    original = getattr(e, "orig", None) or e
    return (str(original).strip().splitlines() or [type(original).__name__])[0]


def _prepare_target(engine: Engine, url: str, revision: str) -> None:
    """Migrate an empty target to the archive's schema revision; BackupError if it is at another one."""
    with engine.connect() as connection:
        current, existing = snapshot.revision(connection), snapshot.table_names(connection)
    if current is None and existing:
        raise BackupError(f"the target database has tables ({', '.join(sorted(existing)[:5])}) but no schema revision")
    if current is None:
        upgrade(url, revision)
    elif current != revision:
        raise BackupError(
            f"the target database is at schema revision {current}, the archive at {revision}: "
            "restore into an empty database (it is migrated to the archive's revision first)"
        )


def _restore_rows(
    connection: Connection, archive: Archive, rows: dict[str, list[dict[str, Any]]], files_dir: Path, *, force: bool
) -> dict[str, int]:
    """In the caller's transaction: replace every row, check the counts, put the files in place; the rows that were there."""
    present = [t for t in snapshot.tables() if t.name in snapshot.table_names(connection)]
    held = {t.name: n for t in present if (n := snapshot.count(connection, t))}
    if held and not force:
        raise BackupError(
            "the target database is not empty (" + ", ".join(f"{name}: {n}" for name, n in held.items())
            + " rows): restore --force replaces everything in it",
            exit_code=1,
        )
    snapshot.delete_all(connection, present)
    for table in present:
        if table.name in rows:
            snapshot.insert(connection, table, archive.manifest["tables"][table.name]["columns"], rows[table.name])
    snapshot.reset_sequences(connection, present)
    expected = archive.counts()
    for table in present:
        actual = snapshot.count(connection, table)
        if actual != expected.get(table.name, 0):
            raise BackupError(f"after the restore {table.name} holds {actual} rows, the archive {expected.get(table.name, 0)}")
    _put_files(archive, files_dir)  # before the commit: a failure here undoes the rows too
    return held


def restore_backup(url: str, files_dir: Path, archive_path: Path, *, force: bool = False) -> RestoreResult:
    """Restore the archive into the database at `url` and its files under `files_dir`, all or nothing.

    BadArchive: the archive is damaged, truncated or from an unknown schema revision.
    BackupError(exit_code=1): the target holds rows and `force` is not set;
    BackupError(exit_code=2): the target cannot take the archive, or the restore failed (rolled back).
    """
    workdir = _workdir()
    engine = make_engine(url)
    try:
        archive = read_archive(archive_path, workdir, {t.name: t for t in snapshot.tables()})
        _check_revision(archive)
        rows = _checked_rows(archive)  # everything is checked before the target is touched
        try:
            _prepare_target(engine, url, archive.revision)
        except SQLAlchemyError as e:
            raise BackupError(f"cannot prepare the target database: {_reason(e)}") from None
        try:
            with engine.begin() as connection:
                held = _restore_rows(connection, archive, rows, files_dir, force=force)
        except (SQLAlchemyError, OSError) as e:
            raise BackupError(f"the restore failed and was rolled back: {_reason(e)}") from None
        migrated_to = None
        if archive.revision != head_revision():
            upgrade(url)
            migrated_to = head_revision()
        with engine.begin() as connection:  # statistics of the rows just written: the views' plans hold at once
            sql.analyze(connection)
        return RestoreResult(
            revision=archive.revision, migrated_to=migrated_to, counts=archive.counts(), files=len(archive.files), replaced=bool(held)
        )
    finally:
        engine.dispose()
        shutil.rmtree(workdir, ignore_errors=True)
