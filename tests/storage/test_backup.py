"""`liaison-bot backup` / `restore`: every row and attachment file comes back, on SQLite and PostgreSQL and across them.

A damaged archive or a failing restore leaves the target as it was; a non-empty target needs --force.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import tarfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.db import current_revision, head_revision, make_engine
from bot.models import FilingNotices, PersonProfile, ProblemStatus, ReminderKind, Role, SubmissionKind, TaskRole, Unit
from bot.storage import Storage, adhoc, attachments, audit, drafts, due, due_sync, invites, notices, people, problems, reminders, roles, snapshot, submissions, tasks, web
from bot.storage import ops as ops_storage
from tests.fixtures.db import PgServer, _require_pg

DB_ENV = "LIAISON_BOT_DATABASE_URL"
FILES_ENV = "LIAISON_BOT_FILES_DIR"
PDF = b"%PDF-1.4 decision " + bytes(range(256)) * 40
JPEG = b"\xff\xd8\xff\xe0 photo of the seized goods"
DOCX = b"PK\x03\x04 summary"


# --- helpers -----------------------------------------------------------------------------------


def keep(files_dir: Path, data: bytes) -> tuple[str, str]:
    """Keep bytes the way `bot.services.submissions.files.store` does: (sha256, storage_path)."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = files_dir / sha256[:2] / sha256
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return sha256, f"{sha256[:2]}/{sha256}"


def populate(storage: Storage, files_dir: Path, now: datetime) -> dict[str, bytes]:
    """A campaign with a row in every table; the attachment files by storage path."""
    kept = {data: keep(files_dir, data) for data in (PDF, JPEG, DOCX)}
    with storage.session() as s:
        units = [
            Unit(code="pgs", name="平岗市场监管所", tags=["所队", "一线"], created_at=now, updated_at=now),
            Unit(code="zhg", name="综合协调组", tags=["工作组"], active=False, created_at=now, updated_at=now),
        ]
        s.add_all(units)
        s.flush()
        liaison = people.get_or_create_person(s, telegram_user_id=7_001_000_001, chat_id=7_001_000_001, first_name="三", now=now)
        people.set_profile(s, person_id=liaison.id, now=now, profile=PersonProfile(  # type: ignore[arg-type]
            name="张三", department="平岗所", title="副所长", office_phone="0564-1234567", mobile="13800000001", email="zs@example.cn"))
        people.set_language(s, person_id=liaison.id, language="en", now=now)  # type: ignore[arg-type]
        backup = people.get_or_create_person(s, telegram_user_id=7002, chat_id=7002, first_name="李四", now=now)
        people.mark_unreachable(s, person_id=backup.id, now=now + timedelta(minutes=5))  # type: ignore[arg-type]
        coordinator = people.get_or_create_person(s, telegram_user_id=9001, chat_id=9001, first_name="王五", username="ww", now=now)
        roles.assign_role(s, person_id=liaison.id, role=Role.primary, unit_id=units[0].id, now=now)  # type: ignore[arg-type]
        roles.assign_role(s, person_id=backup.id, role=Role.backup, unit_id=units[0].id, now=now)  # type: ignore[arg-type]
        roles.assign_role(s, person_id=coordinator.id, role=Role.coordinator, unit_id=None, now=now)  # type: ignore[arg-type]
        invites.create_invite(s, token_hash=invites.hash_token(invites.new_token()), role=Role.primary, unit_id=units[1].id,
                              created_by_person_id=coordinator.id, now=now, expires_at=now + timedelta(days=14))
        item = due.ensure_due_item(s, report_key="typical_case", period_key="2023-08", period_label="2023年8月",
                                   due_at=datetime.fromisoformat("2023-09-03T15:59:59.999999+00:00"),
                                   unit_codes=["pgs", "zhg"], now=now)
        obligation = due.get_obligation(s, due_item_id=item.id, unit_id=units[0].id)  # type: ignore[arg-type]
        assert obligation is not None and obligation.id is not None
        case = submissions.file_and_complete(s, obligation_id=obligation.id, person_id=liaison.id, kind=SubmissionKind.case,  # type: ignore[arg-type]
                                             data={"title": "销售假药案", "amounts": [1, 2.5, None], "nested": {"ok": True}}, now=now)
        submissions.accept_submission(s, submission_id=case.id, reviewer_person_id=coordinator.id,  # type: ignore[arg-type]
                                      now=now + timedelta(hours=1), comment="收到 <ok>")
        for data, name in ((PDF, "决定书.pdf"), (JPEG, "photo.jpg"), (PDF, "决定书（副本）.pdf")):
            sha256, storage_path = kept[data]
            attachments.add_attachment(s, sha256=sha256, size=len(data), storage_path=storage_path, now=now,
                                       mime_type="application/pdf", file_name=name, telegram_file_id="BQAC-1", submission_id=case.id)
        sha256, storage_path = kept[DOCX]  # uploaded during a draft, not yet filed
        draft_file = attachments.add_attachment(s, sha256=sha256, size=len(DOCX), storage_path=storage_path, now=now)
        drafts.save_draft(s, person_id=liaison.id, flow="submit", state="summary-file",  # type: ignore[arg-type]
                          data={"attachment_ids": [draft_file.id], "text": "第一阶段"}, now=now)
        claimed = reminders.claim_reminder(s, due_item_id=item.id, unit_id=units[0].id, person_id=liaison.id,  # type: ignore[arg-type]
                                           moment_key="d-3", kind=ReminderKind.reminder, now=now)
        reminders.mark_reminder_sent(s, reminder_id=claimed, message_id=2**40, now=now)  # type: ignore[arg-type]
        reminders.claim_reminder(s, due_item_id=None, unit_id=None, person_id=coordinator.id,  # type: ignore[arg-type]
                                 moment_key="digest-2023-08-16", kind=ReminderKind.digest, now=now)
        adhoc.add_adhoc_report(s, title="专项检查报告", template="free", due_at=now + timedelta(days=30), has_time=True,
                               owed_by=["所队"], unit_codes=[], created_by_person_id=coordinator.id, now=now)
        audit.audit(s, action="submission.accept", now=now, actor_person_id=coordinator.id, subject="submission:1",
                    details={"comment": "收到", "items": [1, 2]})
        due_sync.remember(s, key="due_items", fingerprint="0" * 64, now=now)
        web.create_token(s, token="t" * 43, kind="link", person_id=coordinator.id, language="zh-CN", now=now,  # type: ignore[arg-type]
                         expires_at=now + timedelta(minutes=10))
        ops_storage.claim_update(s, update_id=2**40 + 1, now=now)
        ops_storage.take_lease(s, bot_id=123456, holder="bot-host pid 4242", now=now, ttl=timedelta(seconds=60))
        ops_storage.claim_send_slot(s, second=1_692_151_200, per_second=29)
        units[1].parent_id = units[0].id  # units in levels
        [problem] = problems.add_problems(s, items=[problems.NewProblem(units[0].id, "未凭处方销售处方药", "专项检查", "一般", "张三",  # type: ignore[arg-type]
                                                                          now + timedelta(days=10))], actor_person_id=coordinator.id, now=now, how="chat")
        problems.step(s, problem_id=problem.id, action="report", expect=[ProblemStatus.open], to=ProblemStatus.reported,  # type: ignore[arg-type]
                      actor_person_id=liaison.id, now=now, comment="已整改", attachment_ids=[draft_file.id], changes={"rectification": "已整改"})  # type: ignore[list-item]
        task = tasks.upsert_task(s, key="2.3", group="（二）", title="严格整治销号", content="逐个验收销号", due_at=None, source="config", now=now)
        tasks.assign(s, task_id=task.id, wanted={units[0].id: TaskRole.lead}, now=now)  # type: ignore[arg-type, dict-item]
        tasks.add_report(s, task_id=task.id, unit_id=units[0].id, person_id=liaison.id, role=TaskRole.lead, text="已建立台账",  # type: ignore[arg-type]
                         attachment_ids=[], now=now)
        notices.set_pref(s, person_id=liaison.id, filings=FilingNotices.now, now=now)  # type: ignore[arg-type]
        notice = notices.add_announcement(s, text="请阅知", attachment_ids=[], tag=None, unit_ids=[units[0].id], person_id=None, now=now)  # type: ignore[list-item]
        notices.add_receipt(s, announcement_id=notice.id, unit_id=units[0].id, person_id=liaison.id)  # type: ignore[arg-type]
        notices.set_group(s, chat_id=-100123, title="工作群", posting=True, person_id=None, now=now)
        notices.claim_group_post(s, chat_id=-100123, key="summary@2023-08-16", now=now)
        roles.record_menu(s, telegram_user_id=liaison.telegram_user_id, digest="d" * 64, now=now)
    assert all(snapshot_rows(storage.engine.url.render_as_string(hide_password=False)).values()), "a table without rows"
    return {storage_path: data for data, (_, storage_path) in kept.items()}


def snapshot_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, by primary key."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {table.name: list(snapshot.rows(connection, table)) for table in snapshot.tables()}
    finally:
        engine.dispose()


def run(monkeypatch: pytest.MonkeyPatch, url: str, files_dir: Path, *args: str) -> int:
    """`liaison-bot ARGS` with the database and files folder from the environment, as an operator sets them."""
    monkeypatch.setenv(DB_ENV, url)
    monkeypatch.setenv(FILES_ENV, str(files_dir))
    return main(list(args))


def rewrite(archive: Path, out: Path, edit: Callable[[dict[str, bytes]], None], *, rehash: bool) -> Path:
    """A copy of `archive` with its members edited; `rehash` updates the manifest so the checksums agree."""
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]
    edit(members)
    if rehash:
        manifest = json.loads(members["manifest.json"])
        for name, entry in manifest["tables"].items():
            data = members[f"db/{name}.jsonl"]
            entry["sha256"], entry["rows"] = hashlib.sha256(data).hexdigest(), data.count(b"\n")
        members["manifest.json"] = json.dumps(manifest).encode()
    with tarfile.open(out, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
def other_empty_url(db_backend: str, tmp_path: Path, pg_server: PgServer | None) -> Iterator[str]:
    """A database with no schema on the *other* backend."""
    if db_backend == "postgresql":
        yield f"sqlite:///{tmp_path / 'moved.sqlite3'}"
        return
    server = _require_pg(pg_server)
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


@pytest.fixture
def source(storage: Storage, tmp_path: Path, now: datetime) -> tuple[Path, dict[str, bytes]]:
    """The populated database's files folder and its files by storage path."""
    files_dir = tmp_path / "files"
    return files_dir, populate(storage, files_dir, now)


@pytest.fixture
def archive(source: tuple[Path, dict[str, bytes]], db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A backup of the populated database."""
    out = tmp_path / "backups" / "liaison.tar.gz"
    assert run(monkeypatch, db_url, source[0], "backup", "--out", str(out)) == 0
    return out


def analyzed(storage: Storage) -> set[str]:
    """The tables the database holds planner statistics of (ANALYZE was run since they were filled)."""
    with storage.engine.connect() as c:
        if storage.dialect == "postgresql":
            return {n for (n,) in c.execute(text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL"))}
        return {n for (n,) in c.execute(text("SELECT tbl FROM sqlite_stat1"))}


# --- tests -------------------------------------------------------------------------------------


def test_backup_then_restore_into_an_empty_database_gives_every_row_and_file(
    archive: Path, source: tuple[Path, dict[str, bytes]], db_url: str, empty_db_url: str, db_backend: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], now: datetime,
) -> None:
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        names = set(tar.getnames())
    expected = snapshot_rows(db_url)
    assert manifest["backend"] == db_backend and manifest["schema_revision"] == head_revision()
    assert datetime.fromisoformat(manifest["created_at"]).utcoffset() == timedelta(0)
    assert {name: entry["rows"] for name, entry in manifest["tables"].items()} == {t: len(r) for t, r in expected.items()}
    assert {f"files/{hashlib.sha256(d).hexdigest()}" for d in source[1].values()} <= names  # each file once

    restored_files = tmp_path / "restored-files"
    assert run(monkeypatch, empty_db_url, restored_files, "restore", str(archive)) == 0
    assert "restored" in capsys.readouterr().out
    assert current_revision(empty_db_url) == head_revision()
    assert snapshot_rows(empty_db_url) == expected
    for storage_path, data in source[1].items():
        kept = (restored_files / storage_path).read_bytes()
        assert hashlib.sha256(kept).hexdigest() == storage_path.split("/")[1] and kept == data

    target = Storage.from_url(empty_db_url)  # new rows get fresh ids (PostgreSQL's sequences were moved on)
    try:
        assert analyzed(target) >= {"unit", "obligation", "submission", "due_item"}  # the planner knows the rows at once
        with target.session() as s:
            unit = Unit(code="new", name="新单位", created_at=now, updated_at=now)
            s.add(unit)
            s.flush()
            assert unit.id == max(row["id"] for row in expected["unit"]) + 1
    finally:
        target.dispose()


def test_backup_restores_across_backends(
    archive: Path, source: tuple[Path, dict[str, bytes]], db_url: str, other_empty_url: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    moved_files = tmp_path / "moved-files"
    assert run(monkeypatch, other_empty_url, moved_files, "restore", str(archive)) == 0
    assert snapshot_rows(other_empty_url) == snapshot_rows(db_url)
    assert {str(p.relative_to(moved_files)) for p in moved_files.rglob("*") if p.is_file()} == set(source[1])

    back = tmp_path / "back.tar.gz"  # and back again: the moved database backs up the same rows
    assert run(monkeypatch, other_empty_url, moved_files, "backup", "--out", str(back)) == 0
    assert run(monkeypatch, db_url, tmp_path / "back-files", "restore", str(back), "--force") == 0
    assert snapshot_rows(db_url) == snapshot_rows(other_empty_url)


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(
    archive: Path, source: tuple[Path, dict[str, bytes]], storage: Storage, db_url: str, now: datetime,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    at_backup = snapshot_rows(db_url)
    with storage.session() as s:  # the campaign goes on after the backup
        s.add(Unit(code="later", name="后来的单位", created_at=now, updated_at=now))
        people.get_or_create_person(s, telegram_user_id=8123, chat_id=8123, first_name="新人", now=now)
    after = snapshot_rows(db_url)

    assert run(monkeypatch, db_url, source[0], "restore", str(archive)) == 1
    assert "--force" in capsys.readouterr().err
    assert snapshot_rows(db_url) == after

    assert run(monkeypatch, db_url, source[0], "restore", str(archive), "--force") == 0
    assert "replaced" in capsys.readouterr().out
    assert snapshot_rows(db_url) == at_backup


def test_an_older_archive_is_restored_at_its_revision_then_migrated(
    archive: Path, db_url: str, empty_db_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    from bot.db import migrations_dir, upgrade

    head = ScriptDirectory(str(migrations_dir())).get_revision(head_revision())
    older = head.down_revision
    assert isinstance(older, str)
    scratch = f"sqlite:///{tmp_path / 'older.sqlite3'}"  # what the schema looked like at that revision
    upgrade(scratch, older)
    engine = make_engine(scratch)
    try:
        with engine.connect() as connection:
            shape = {t: [c["name"] for c in inspect(connection).get_columns(t)] for t in inspect(connection).get_table_names()}
    finally:
        engine.dispose()

    def as_made_at_the_older_revision(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        manifest["schema_revision"] = older
        for name in list(manifest["tables"]):
            if name not in shape:
                del manifest["tables"][name], members[f"db/{name}.jsonl"]
                continue
            manifest["tables"][name]["columns"] = [c for c in manifest["tables"][name]["columns"] if c in shape[name]]
            lines = [json.loads(line) for line in members[f"db/{name}.jsonl"].splitlines()]
            members[f"db/{name}.jsonl"] = b"".join(
                json.dumps({c: v for c, v in row.items() if c in shape[name]}).encode() + b"\n" for row in lines)
        members["manifest.json"] = json.dumps(manifest).encode()

    old = rewrite(archive, tmp_path / "old.tar.gz", as_made_at_the_older_revision, rehash=True)
    assert run(monkeypatch, empty_db_url, tmp_path / "restored-files", "restore", str(old)) == 0
    assert f"revision {older}, then migrated to {head_revision()}" in capsys.readouterr().out
    assert current_revision(empty_db_url) == head_revision()
    restored, original = snapshot_rows(empty_db_url), snapshot_rows(db_url)
    for name, columns in shape.items():
        if name in original:
            assert [{c: r[c] for c in columns} for r in restored[name]] == [{c: r[c] for c in columns} for r in original[name]]


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def _flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _edit_a_row(members: dict[str, bytes]) -> None:
    members["db/person.jsonl"] = members["db/person.jsonl"].replace(b"13800000001", b"13900000009")


def _drop_a_file(members: dict[str, bytes]) -> None:
    del members[next(name for name in members if name.startswith("files/"))]


def _unknown_revision(members: dict[str, bytes]) -> None:
    manifest = json.loads(members["manifest.json"])
    manifest["schema_revision"] = "9999"
    members["manifest.json"] = json.dumps(manifest).encode()


DAMAGES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "truncated": (lambda a, out: (out.write_bytes(a.read_bytes()), _truncate(out), out)[2], "not a readable backup archive"),
    "flipped-byte": (lambda a, out: (out.write_bytes(a.read_bytes()), _flip_a_byte(out), out)[2], "refused"),
    "edited-row": (lambda a, out: rewrite(a, out, _edit_a_row, rehash=False), "db/person.jsonl"),
    "missing-file": (lambda a, out: rewrite(a, out, _drop_a_file, rehash=False), "is missing from the archive"),
    "unknown-revision": (lambda a, out: rewrite(a, out, _unknown_revision, rehash=False), "'9999' is unknown"),
    "not-an-archive": (lambda a, out: (out.write_text("name,mobile\n张三,13800000001\n"), out)[1], "not a readable backup archive"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_archive_is_refused_and_nothing_is_restored(
    damage: str, archive: Path, source: tuple[Path, dict[str, bytes]], db_url: str, empty_db_url: str,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    make, message = DAMAGES[damage]
    damaged = make(archive, tmp_path / "damaged.tar.gz")
    restored_files = tmp_path / "restored-files"
    assert run(monkeypatch, empty_db_url, restored_files, "restore", str(damaged)) == 2
    assert message in capsys.readouterr().err
    assert current_revision(empty_db_url) is None  # not even migrated
    assert not restored_files.exists()

    before = snapshot_rows(db_url)  # even --force leaves a database as it was
    assert run(monkeypatch, db_url, source[0], "restore", str(damaged), "--force") == 2
    assert snapshot_rows(db_url) == before


def test_a_restore_that_fails_midway_is_rolled_back_whole(
    archive: Path, source: tuple[Path, dict[str, bytes]], db_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    def duplicate_a_unit_code(members: dict[str, bytes]) -> None:  # intact archive, rows that break a unique key
        first = json.loads(members["db/unit.jsonl"].splitlines()[0])
        members["db/unit.jsonl"] += json.dumps({**first, "id": 99}, ensure_ascii=False).encode() + b"\n"

    bad = rewrite(archive, tmp_path / "bad.tar.gz", duplicate_a_unit_code, rehash=True)
    before = snapshot_rows(db_url)
    other_files = tmp_path / "other-files"
    assert run(monkeypatch, db_url, other_files, "restore", str(bad), "--force") == 2
    assert "rolled back" in capsys.readouterr().err
    assert snapshot_rows(db_url) == before  # the deletes of --force were undone too
    assert not other_files.exists()


def test_backup_sees_committed_rows_only_while_the_bot_writes(
    source: tuple[Path, dict[str, bytes]], storage: Storage, db_url: str, db_backend: str, empty_db_url: str,
    now: datetime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    if db_backend == "sqlite":  # committed rows still in the write-ahead log, not yet in the main file
        assert Path(db_url.removeprefix("sqlite:///") + "-wal").stat().st_size > 0
    committed = snapshot_rows(db_url)
    out = tmp_path / "while-writing.tar.gz"
    with storage.session() as s:  # a writer in the middle of its transaction (it holds SQLite's write lock)
        s.add(Unit(code="uncommitted", name="未提交", created_at=now, updated_at=now))
        s.flush()
        assert run(monkeypatch, db_url, source[0], "backup", "--out", str(out)) == 0
    assert run(monkeypatch, empty_db_url, tmp_path / "restored-files", "restore", str(out)) == 0
    assert snapshot_rows(empty_db_url) == committed


def test_backup_names_missing_or_damaged_attachment_files(
    source: tuple[Path, dict[str, bytes]], db_url: str, empty_db_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    files_dir, kept = source
    lost, damaged, intact = sorted(kept)
    (files_dir / lost).unlink()
    (files_dir / damaged).write_bytes(b"overwritten")
    out = tmp_path / "b.tar.gz"
    assert run(monkeypatch, db_url, files_dir, "backup", "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert lost in err and damaged in err and intact not in err
    assert not out.exists() and not list(tmp_path.glob(".b.tar.gz*"))

    assert run(monkeypatch, db_url, files_dir, "backup", "--out", str(out), "--allow-missing-files") == 0
    with tarfile.open(out, "r:gz") as tar:
        assert json.loads(tar.extractfile("manifest.json").read())["missing_files"] == sorted([lost, damaged])  # type: ignore[union-attr]
    restored_files = tmp_path / "restored-files"
    assert run(monkeypatch, empty_db_url, restored_files, "restore", str(out)) == 0
    assert (restored_files / intact).read_bytes() == kept[intact]
    assert not (restored_files / lost).exists() and not (restored_files / damaged).exists()


def test_help_says_the_archive_holds_personal_data(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("backup", "restore"):
        with pytest.raises(SystemExit) as exited:
            main([command, "--help"])
        assert exited.value.code == 0
        text = " ".join(capsys.readouterr().out.split())
        assert "personal data" in text and "0600" in text and "phone numbers" in text

