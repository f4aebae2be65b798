"""Render the coordinators' paperwork as a reader sees it: the pictures in docs/images/.

A sample campaign (the shipped config.toml plus seed 001's 附件1 statistics report) is filled in a
temporary SQLite database as of 20 October 2023: liaisons, typical cases with their 行政处罚决定书,
stage summaries, statistics, some late, one missing. The register and on-time workbooks and the
compilation are written by the bot's own code, printed to PDF by headless LibreOffice and the
first pages turned into PNGs by pdftoppm; the chart is the bot's PNG.

Needs LibreOffice and poppler (Debian: `apt-get install libreoffice-writer-nogui
libreoffice-calc-nogui poppler-utils`) and Chinese fonts (`fonts-wqy-zenhei fonts-arphic-uming
fonts-arphic-ukai`); the official font names (仿宋_GB2312, 方正小标宋简体 …) are mapped to these by a
private fontconfig file, as a reader's WPS or Word substitutes them. Not needed by the tests.

Run: `python docs/render.py [--out docs/images]`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.clock import FixedClock  # noqa: E402
from bot.config import Config, ReportType, load_config  # noqa: E402
from bot.context import Services, open_services  # noqa: E402
from bot.models import Person, Role, SubmissionKind  # noqa: E402
from bot.services.coordinator import chart, compile as compiler, export, ontime  # noqa: E402
from bot.services.deadlines import adhoc  # noqa: E402
from bot.services.deadlines.due_items import sync_due_items  # noqa: E402
from bot.services.people.campaign import sync_campaign  # noqa: E402
from bot.storage import Storage, attachments, due, people, roles, submissions, units  # noqa: E402

NOW = datetime(2023, 10, 20, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
STATISTICS = {
    "key": "drug_statistics",
    "title": "药品经营使用环节巩固提升行动工作情况统计",
    "title_en": "Drug retail and use statistics",
    "template": "statistics",
    "attachment": "附件1",
    "owed_by": ["所队"],
    "schedule": {"kind": "monthly", "day": 5, "covers": "previous_month"},
}
# Fonts a reader's office suite would substitute for the official ones, on a Debian machine.
FONT_MAP = {
    "方正小标宋简体": "AR PL UMing CN",
    "仿宋_GB2312": "AR PL UMing CN",
    "仿宋": "AR PL UMing CN",
    "宋体": "AR PL UMing CN",
    "楷体_GB2312": "AR PL UKai CN",
    "黑体": "WenQuanYi Zen Hei",
}
CASES = [
    ("pgs", "销售假药", "2023年8月，执法人员在辖区某药店检查时发现，该店销售的“复方甘草片”无合法来源，经检验为假药。\n（一）调查取证\n现场查扣问题药品12盒，调取购进记录和销售票据。\n（二）问题产品查控\n已向供货渠道所在地发出协查函，责令召回已售出药品。", "依据《中华人民共和国药品管理法》第一百一十六条，没收违法所得并处罚款5万元。", "50000", "叶市监罚〔2023〕12号.pdf"),
    ("shs", "无证经营药品", "某诊所未取得《药品经营许可证》，在诊所内向患者零售药品。", "责令停止经营，没收违法经营的药品，并处罚款2万元。", "20000", "叶市监罚〔2023〕15号.pdf"),
    ("sys", "医疗器械经营企业未按规定建立进货查验记录", "某医疗器械经营企业未建立进货查验记录制度。", "责令改正，给予警告。", "", ""),
]


def _liaison(s: Any, code: str, n: int, name: str, now: datetime) -> Person:
    person = people.get_or_create_person(s, telegram_user_id=8000 + n, chat_id=8000 + n, first_name=name, now=now)
    profile = {"name": name, "mobile": f"1380000{n:04d}", "department": "综合办公室", "title": "科员", "office_phone": "0564-6661234", "email": f"liaison{n}@example.cn"}
    people.set_profile(s, person_id=person.id, profile=profile, now=now)  # type: ignore[arg-type]
    unit = units.get_unit_by_code(s, code=code)
    assert unit is not None
    roles.assign_role(s, person_id=person.id, role=Role.primary, unit_id=unit.id, now=now)  # type: ignore[arg-type]
    return person


def _file(s: Any, code: str, report: str, period: str, person: Person, kind: SubmissionKind, data: dict[str, Any], at: datetime, item_no: int = 1) -> int | None:
    """File for a unit; None when the unit does not owe the report."""
    item = due.get_due_item(s, report_key=report, period_key=period)
    unit = units.get_unit_by_code(s, code=code)
    assert item is not None and unit is not None
    obligation = due.get_obligation(s, due_item_id=item.id, unit_id=unit.id)  # type: ignore[arg-type]
    if obligation is None:
        return None
    return submissions.file_and_complete(s, obligation_id=obligation.id, person_id=person.id, kind=kind, data=data, now=at, item_no=item_no).id  # type: ignore[arg-type, return-value]


def _statistics(base: int) -> dict[str, Any]:
    rows = {}
    for i, category in enumerate(("retail", "users", "online")):
        n = base + 3 * i
        rows[f"row_{category}"] = {"inspected": str(12 * n), "violating": str(n), "rectified": str(n - 1), "cases": str(n // 2), "fines": f"{n * 0.35:.2f}", "revoked": "0", "police": str(n // 5)}
    return {"values": rows, "files": {}}


def populate(services: Services, files_dir: Path) -> None:
    """The sample campaign's filings."""
    config, storage = services.config, services.storage
    start = datetime(2023, 8, 8, 2, 0, tzinfo=UTC)
    sync_campaign(storage, config, now=start)
    sync_due_items(storage, config, calendar=services.calendar, now=start)
    names = ["张伟", "李娜", "王芳", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴倩", "徐涛", "孙丽", "马超"]
    with storage.session() as s:
        codes = [u.code for u in config.units]
        liaisons = {code: _liaison(s, code, n, names[n % len(names)], start) for n, code in enumerate(codes) if n != 5}
        coordinator = people.get_or_create_person(s, telegram_user_id=9001, chat_id=9001, first_name="苏荣", now=start)
        for n, (code, title, overview, result, fine, decision) in enumerate(CASES):
            data: dict[str, Any] = {"values": {"title": title, "overview": overview, "result": result, "decided_on": "2023-08-21", "fine": fine, "police": False}, "files": {}}
            attachment = None
            if decision:
                content = f"%PDF-1.4 {title}".encode()
                sha = hashlib.sha256(content).hexdigest()
                (files_dir / sha[:2]).mkdir(parents=True, exist_ok=True)
                (files_dir / sha[:2] / sha).write_bytes(content)
                attachment = attachments.add_attachment(s, sha256=sha, size=len(content), storage_path=f"{sha[:2]}/{sha}", now=start, file_name=decision)
                data["files"] = {"decision_file": [attachment.id]}
            sid = _file(s, code, "typical_case", "2023-08", liaisons[code], SubmissionKind.case, data, datetime(2023, 9, 1 + n, 3, 0, tzinfo=UTC))
            assert sid is not None
            if attachment is not None:
                attachments.link_attachments(s, attachment_ids=[attachment.id], submission_id=sid)  # type: ignore[list-item]
            if n == 0:
                submissions.accept_submission(s, submission_id=sid, reviewer_person_id=coordinator.id, now=datetime(2023, 9, 4, 2, 0, tzinfo=UTC))  # type: ignore[arg-type]
        for n, code in enumerate(codes[:8]):
            if code in liaisons:
                summary = {"basic": "我所辖区共有药品零售企业46家、使用单位21家，本阶段全部完成检查。", "progress": "一、开展风险隐患排查\n对照行动方案逐项落实工作措施。\n（一）零售药店\n检查46家，发现问题9家，已整改7家。", "highlights": "推行“智慧药店”远程巡查。", "suggestions": "建议加强基层执法人员培训。", "other": "无"}
                _file(s, code, "stage_summary", "2023-09-15", liaisons[code], SubmissionKind.summary, {"values": summary, "files": {}}, datetime(2023, 9, 12 + n % 5, 3, 0, tzinfo=UTC))
        for n, code in enumerate(codes):  # the case statistics entered in the national system, confirmed
            for period, month in (("2023-08", 9), ("2023-09", 10)):
                if code in liaisons and n % 5 != 2:
                    _file(s, code, "case_statistics", period, liaisons[code], SubmissionKind.confirmation, {"values": {"confirmed": True}, "files": {}}, datetime(2023, month, 1 + (n % 3) * (1 + n % 2), 3, 0, tzinfo=UTC))
        for period, day in (("2023-08", 3), ("2023-09", 4)):
            for n, code in enumerate(codes):
                if code in liaisons and n % 6 != 4:
                    late = n % 4 == 3
                    at = datetime(2023, 9 if period == "2023-08" else 10, day + (6 if late else 0), 3, 0, tzinfo=UTC)
                    _file(s, code, "drug_statistics", period, liaisons[code], SubmissionKind.statistics, _statistics(2 + n % 5), at)


def _fontconfig(work: Path) -> Path:
    aliases = "".join(f"<alias binding='same'><family>{k}</family><prefer><family>{v}</family></prefer></alias>" for k, v in FONT_MAP.items())
    conf = work / "fonts.conf"
    conf.write_text(f"<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig><include ignore_missing='yes'>/etc/fonts/fonts.conf</include>{aliases}</fontconfig>", encoding="utf-8")
    return conf


def to_png(document: Path, out: Path, *, pages: int, work: Path, dpi: int = 60) -> list[Path]:
    """Print a document to PDF with LibreOffice and its first pages to PNG."""
    env = dict(os.environ, HOME=str(work), FONTCONFIG_FILE=str(_fontconfig(work)))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(document)], check=True, env=env, capture_output=True, timeout=300)
    pdf = work / (document.stem + ".pdf")
    prefix = work / document.stem
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), str(pdf), str(prefix)], check=True, capture_output=True, timeout=120)
    made = sorted(work.glob(f"{document.stem}-*.png"))
    targets = []
    for n, png in enumerate(made, start=1):
        target = out / (f"{document.stem}.png" if n == 1 else f"{document.stem}-{n}.png")
        shutil.copyfile(png, target)
        targets.append(target)
    return targets


def sample_documents(work: Path) -> dict[str, bytes]:
    """The register, the on-time record, a compilation and a chart of the sample campaign, made in `work`
    by the bot's own code (the tests call this: the pictures' source never rots unnoticed)."""
    base = load_config()
    config: Config = base.model_copy(update={"report_types": [*base.report_types, ReportType.model_validate(STATISTICS)]})
    storage = Storage.from_url(f"sqlite:///{work / 'sample.db'}")
    storage.upgrade()
    try:
        files_dir = work / "files"
        services = open_services(config, storage, secret=b"docs", clock=FixedClock(NOW), files_dir=files_dir)
        populate(services, files_dir)
        compiled = compiler.compile_period(services, "8月", now=NOW)
        assert compiled is not None
        out = {
            "register.xlsx": export.build_workbook(services, now=NOW).data,
            "ontime.xlsx": ontime.build(services, now=NOW)[0],
            "compilation.docx": compiled.data,
        }
        weekly = next(r for r in adhoc.report_types(services) if r.key == "drug_statistics")
        drawn = chart.render(services, weekly, now=NOW + timedelta(days=1))
        if drawn is not None:
            out["chart.png"] = drawn.png
        return out
    finally:
        storage.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "images")
    args = parser.parse_args()
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils", file=sys.stderr)
            return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        made: list[Path] = []
        for name, data in sample_documents(work).items():
            if name.endswith(".png"):
                (args.out / name).write_bytes(data)
                made.append(args.out / name)
                continue
            (work / name).write_bytes(data)
            made += to_png(work / name, args.out, pages=2 if name.endswith(".docx") else 1, work=work)
    for path in made:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
