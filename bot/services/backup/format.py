"""The backup archive: a gzip'd tar of a manifest, one JSON Lines file per table, and the attachment files.

    manifest.json          format, format_version, created_at (UTC), created_by, backend, schema_revision,
                           tables: {name: {rows, columns, sha256}}, files: {storage_path: {sha256, size}},
                           missing_files: [storage_path, ...]
    db/<table>.jsonl       one JSON object per row, columns as named in the manifest
    files/<sha256>         each attachment file once, named by its content's SHA-256

Values are written by their column's type, not guessed from the value: timestamps as ISO 8601
with their UTC offset (always aware), JSON columns as JSON, enums as their string value,
booleans and integers as JSON booleans and numbers. Reading checks every member against the
manifest (SHA-256 and size) and every value against its column's type before anything is
written to a database, so a corrupt or truncated archive is refused as a whole (`BadArchive`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tarfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Integer, String, Table
from sqlalchemy.types import TypeDecorator

from bot.db import EnumString, UTCDateTime

FORMAT = "liaison-bot-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_TABLE_MEMBER = re.compile(r"db/([a-z_][a-z0-9_]*)\.jsonl")
_FILE_MEMBER = re.compile(r"files/([0-9a-f]{64})")
_CHUNK = 1024 * 1024


class BadArchive(Exception):
    """The archive is not a readable, intact liaison-bot backup; the message says what is wrong."""


# --- values by column type ---------------------------------------------------------------------


def _kind(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, EnumString):
        return "enum"
    if isinstance(kind, UTCDateTime | DateTime):
        return "datetime"
    if isinstance(kind, TypeDecorator):  # e.g. SQLModel's AutoString: a String underneath
        kind = kind.impl_instance
    if isinstance(kind, JSON):
        return "json"
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, Integer):
        return "int"
    if isinstance(kind, Float):
        return "float"
    if isinstance(kind, String):
        return "str"
    raise TypeError(f"{column.table.name}.{column.name}: no backup encoding for {kind!r}")


def encode(column: Column[Any], value: Any) -> Any:
    """A column value as JSON."""
    if value is None:
        return None
    kind = _kind(column)
    if kind == "datetime":
        if value.tzinfo is None:
            raise ValueError(f"{column.table.name}.{column.name}: naive datetime {value!r}")
        return value.astimezone(UTC).isoformat()
    if kind == "enum":
        return str(_enum_class(column)(value).value)
    return value


def _enum_class(column: Column[Any]) -> type[Any]:
    enum_class: type[Any] = getattr(column.type, "enum_class")  # noqa: B009  (EnumString columns carry it)
    return enum_class


def decode(column: Column[Any], value: Any) -> Any:
    """A JSON value back as the column's Python value; ValueError if it cannot be one."""
    if value is None:
        if not column.nullable and _kind(column) != "json":
            raise ValueError("null in a NOT NULL column")
        return None
    kind = _kind(column)
    if kind == "datetime":
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        if moment is None or moment.tzinfo is None:
            raise ValueError(f"expected an ISO 8601 timestamp with its offset, got {value!r}")
        return moment.astimezone(UTC)
    if kind == "enum":
        return _enum_class(column)(value)
    expected: dict[str, type | tuple[type, ...]] = {"bool": bool, "int": int, "float": (int, float), "str": str}
    if kind in expected and (not isinstance(value, expected[kind]) or (kind != "bool" and isinstance(value, bool))):
        raise ValueError(f"expected {kind}, got {value!r}")
    return value


# --- writing -----------------------------------------------------------------------------------


def private_file(path: Path) -> IO[bytes]:
    """Open a new file readable and writable by its owner only (0600): backups hold personal data."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)  # whatever the umask
    return os.fdopen(fd, "wb")


def write_table(path: Path, table: Table, rows: Iterator[dict[str, Any]]) -> dict[str, Any]:
    """Write rows as JSON Lines; the manifest entry {rows, columns, sha256}."""
    columns = [c.name for c in table.columns]
    digest, n = hashlib.sha256(), 0
    with private_file(path) as out:
        for row in rows:
            line = json.dumps({c: encode(table.c[c], row[c]) for c in columns}, ensure_ascii=False, sort_keys=True)
            data = line.encode("utf-8") + b"\n"
            digest.update(data)
            out.write(data)
            n += 1
    return {"rows": n, "columns": columns, "sha256": digest.hexdigest()}


class _Hashing:
    """A file read through SHA-256."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f, self.digest = f, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.digest.update(data)
        return data


@contextmanager
def archive_writer(out: Path) -> Iterator[Callable[[str, Path], str]]:
    """Write the archive at `out` (mode 0600) through `add(member_name, source_path) -> sha256 of what was added`.

    It is written beside `out` under a temporary name and renamed when complete, so `out` is
    never a half-written archive.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.part")
    partial.unlink(missing_ok=True)
    try:
        with private_file(partial) as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:

            def add(name: str, source: Path) -> str:
                with source.open("rb") as f:
                    info = tar.gettarinfo(arcname=name, fileobj=f)
                    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
                    hashing = _Hashing(f)
                    tar.addfile(info, hashing)
                    return hashing.digest.hexdigest()

            yield add
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


# --- reading -----------------------------------------------------------------------------------


@dataclass
class Archive:
    """An archive read and checked: its manifest and where its members were unpacked."""

    manifest: dict[str, Any]
    tables: dict[str, Path] = field(default_factory=dict)  # table -> unpacked .jsonl
    files: dict[str, Path] = field(default_factory=dict)  # sha256 -> unpacked file

    @property
    def revision(self) -> str:
        return str(self.manifest["schema_revision"])

    def counts(self) -> dict[str, int]:
        return {name: int(entry["rows"]) for name, entry in self.manifest["tables"].items()}


def _copy(source: IO[bytes], target: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with private_file(target) as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _unpack(path: Path, workdir: Path) -> tuple[bytes, dict[str, tuple[Path, str, int]]]:
    """Every member into `workdir` under names of our own: (manifest bytes, {member: (path, sha256, size)})."""
    manifest: bytes | None = None
    members: dict[str, tuple[Path, str, int]] = {}
    (workdir / "db").mkdir(mode=0o700)
    (workdir / "files").mkdir(mode=0o700)
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            for info in tar:
                name = info.name
                if not info.isfile():
                    raise BadArchive(f"unexpected member {name!r} (not a regular file)")
                if name in members or (name == MANIFEST and manifest is not None):
                    raise BadArchive(f"member {name!r} appears twice")
                source = tar.extractfile(info)
                assert source is not None
                if name == MANIFEST:
                    manifest = source.read()
                    continue
                table, file = _TABLE_MEMBER.fullmatch(name), _FILE_MEMBER.fullmatch(name)
                if table is None and file is None:
                    raise BadArchive(f"unexpected member {name!r}")
                if table is not None:
                    target = workdir / "db" / f"{table[1]}.jsonl"
                else:
                    assert file is not None
                    target = workdir / "files" / file[1]
                members[name] = (target, *_copy(source, target))
            # tarfile stops at a damaged header as if the archive ended there; reading the gzip stream
            # to its end checks its CRC, so damage anywhere is named as such
            while tar.fileobj is not None and tar.fileobj.read(_CHUNK):
                pass
    except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
        raise BadArchive(f"not a readable backup archive (damaged or truncated?): {e}") from None
    if manifest is None:
        raise BadArchive(f"no {MANIFEST} in the archive")
    return manifest, members


def safe_relative(storage_path: str) -> bool:
    """A storage path that stays inside the files folder (relative, no '..')."""
    pure = PurePosixPath(storage_path)
    return bool(storage_path) and "\\" not in storage_path and not pure.is_absolute() and ".." not in pure.parts


def _manifest(raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw)
    except ValueError as e:
        raise BadArchive(f"{MANIFEST} is damaged: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BadArchive(f"{MANIFEST} is not a liaison-bot backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BadArchive(f"archive format version {manifest.get('format_version')!r}; this liaison-bot reads {FORMAT_VERSION}")
    return manifest


def _expected_members(manifest: dict[str, Any], archive: Archive, workdir: Path, known: dict[str, Table]) -> dict[str, tuple[str, int | None]]:
    """Member name -> (sha256, size or None) for everything the manifest lists."""
    if not isinstance(manifest["schema_revision"], str) or not isinstance(manifest.get("missing_files", []), list):
        raise TypeError("schema_revision or missing_files has the wrong type")
    expected: dict[str, tuple[str, int | None]] = {}
    for name, entry in manifest["tables"].items():
        if name not in known:
            raise BadArchive(f"table {name!r} is unknown to this liaison-bot version")
        unknown = set(entry["columns"]) - set(known[name].c.keys())
        if unknown:
            raise BadArchive(f"columns {sorted(unknown)} of table {name!r} are unknown to this liaison-bot version")
        if not isinstance(entry["rows"], int) or not isinstance(entry["columns"], list):
            raise TypeError(f"tables.{name}: rows or columns has the wrong type")
        expected[f"db/{name}.jsonl"] = (str(entry["sha256"]), None)
        archive.tables[name] = workdir / "db" / f"{name}.jsonl"
    for storage_path, entry in manifest["files"].items():
        if not safe_relative(storage_path):
            raise BadArchive(f"unsafe file path {storage_path!r} in {MANIFEST}")
        sha256 = str(entry["sha256"])
        expected[f"files/{sha256}"] = (sha256, int(entry["size"]))
        archive.files[sha256] = workdir / "files" / sha256
    return expected


def read_archive(path: Path, workdir: Path, known: dict[str, Table]) -> Archive:
    """Unpack `path` into `workdir` and check it whole; BadArchive says what is wrong."""
    raw, members = _unpack(path, workdir)
    archive = Archive(_manifest(raw))
    try:
        expected = _expected_members(archive.manifest, archive, workdir, known)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise BadArchive(f"{MANIFEST} is damaged: {type(e).__name__} {e}") from None
    for name, (sha256, size) in expected.items():
        if name not in members:
            raise BadArchive(f"member {name!r} is missing from the archive")
        _, actual, actual_size = members[name]
        if actual != sha256 or (size is not None and size != actual_size):
            raise BadArchive(f"member {name!r} is damaged: its SHA-256 does not match the manifest")
    extra = set(members) - set(expected)
    if extra:
        raise BadArchive(f"members not in the manifest: {sorted(extra)[:5]}")
    return archive


def load_rows(archive: Archive, table: Table) -> list[dict[str, Any]]:
    """The rows of one table with Python values, checked against the manifest's columns and count."""
    entry = archive.manifest["tables"][table.name]
    columns = list(entry["columns"])
    out = []
    with archive.tables[table.name].open(encoding="utf-8") as lines:
        for n, line in enumerate(lines, start=1):
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or sorted(row) != sorted(columns):
                    raise ValueError(f"expected the columns {columns}")
                values = {}
                for c in columns:
                    try:
                        values[c] = decode(table.c[c], row[c])
                    except ValueError as e:
                        raise ValueError(f"column {c}: {e}") from None
                out.append(values)
            except ValueError as e:
                raise BadArchive(f"db/{table.name}.jsonl line {n}: {e}") from None
    if len(out) != entry["rows"]:
        raise BadArchive(f"db/{table.name}.jsonl holds {len(out)} rows, the manifest says {entry['rows']}")
    return out
