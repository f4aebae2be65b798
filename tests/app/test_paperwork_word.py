"""/compile in the layout of Chinese official documents, and with its files as a .zip, through the
emulator: the document is opened with python-docx and its page, fonts, spacing and page-number
field checked; the zip's names and manifest are read back."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from docx import Document
from docx.shared import Mm, Pt

from bot.models import Person, SubmissionKind
from bot.storage import Storage, attachments
from tests.app.helpers_coordinator import case_data, file, liaison, summary_data
from tests.app.test_coordinator import ask
from tests.fixtures.app import COORDINATOR, RunningBot

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _document(bot: RunningBot, message: object) -> tuple[str, bytes]:
    document = message.document  # type: ignore[attr-defined]
    assert document is not None
    return document["file_name"], bot.emulator.state.files[document["file_id"]].data


def _attach(storage: Storage, files_dir: Path, content: bytes, name: str, now: datetime) -> int:
    sha = hashlib.sha256(content).hexdigest()
    path = files_dir / sha[:2] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with storage.session() as s:
        return attachments.add_attachment(s, sha256=sha, size=len(content), storage_path=f"{sha[:2]}/{sha}", now=now, file_name=name, mime_type="application/pdf").id  # type: ignore[return-value]


def _case_with_decision(storage: Storage, files_dir: Path, code: str, person: Person, title: str, file_name: str, now: datetime, item_no: int = 1) -> None:
    attachment = _attach(storage, files_dir, f"%PDF-1.4 {title}".encode(), file_name, now)
    data: dict[str, Any] = case_data(title)
    data["files"] = {"decision_file": [attachment]}
    sid = file(storage, code, "typical_case", "2023-08", person=person, kind=SubmissionKind.case, data=data, at=now, item_no=item_no)
    with storage.session() as s:
        attachments.link_attachments(s, attachment_ids=[attachment], submission_id=sid)


def _fonts(style: Any) -> str | None:
    fonts = style.element.rPr.find(f"{W}rFonts")
    return None if fonts is None else fonts.get(f"{W}eastAsia")


async def test_compile_is_an_official_document(export_bot: RunningBot, files_dir: Path) -> None:
    storage, now = export_bot.storage, export_bot.clock.now()
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    li = liaison(storage, "shs", telegram_user_id=7002, name="李四", mobile="13800000002", now=now)
    _case_with_decision(storage, files_dir, "pgs", zhang, "销售假药", "叶市监罚〔2023〕12号.pdf", now)
    file(storage, "shs", "typical_case", "2023-08", person=li, kind=SubmissionKind.case, data=case_data("无证经营药品", "（一）违法事实\n某诊所无证经营。"), at=now)
    user = export_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/compile 8月", "汇编")
    assert "另有 1 个附件" in reply.text and "/compile 8月 附件" in reply.text
    name, data = _document(export_bot, reply)
    assert name == "报送材料汇编_2023年8月.docx"
    doc = Document(io.BytesIO(data))

    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    for side, mm in (("top", 37), ("bottom", 35), ("left", 28), ("right", 26)):
        assert abs(getattr(section, f"{side}_margin") - Mm(mm)) < Mm(0.2), side
    paragraphs = doc.paragraphs
    texts = [p.text for p in paragraphs]
    title = paragraphs[0]
    assert title.text == "叶集区药品安全巩固提升行动报送材料汇编"
    assert _fonts(title.style) == "方正小标宋简体" and title.style.font.size == Pt(22)
    body = next(p for p in paragraphs if p.text == "某药店销售假药。")
    assert _fonts(body.style) == "仿宋_GB2312" and body.style.font.size == Pt(16)
    assert body.style.paragraph_format.line_spacing == Pt(28) and body.style.paragraph_format.line_spacing_rule == 4  # EXACTLY
    heading = next(p for p in paragraphs if p.text == "一、案情概述")
    assert _fonts(heading.style) == "黑体"
    sub = next(p for p in paragraphs if p.text == "（一）违法事实")
    assert _fonts(sub.style) == "楷体_GB2312"
    assert not any(p.style.name.startswith("Heading") for p in paragraphs)  # no Word blue headings

    # two units: a list of contents; each case on a page of its own, its decision listed
    contents = texts.index("目　录")
    assert texts[contents + 2 : contents + 5] == ["一、典型案例", "（一）平岗市场监管所报送销售假药案", "（二）史河市场监管所报送无证经营药品案"]
    case = next(p for p in paragraphs if p.text == "平岗市场监管所报送销售假药案")
    assert case.paragraph_format.page_break_before
    assert "附件：1.《行政处罚决定书》（叶市监罚〔2023〕12号.pdf）" in texts

    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and "fldChar" in xml
        assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")
    assert doc.settings.odd_and_even_pages_header_footer


async def test_compile_of_one_unit_has_no_contents(export_bot: RunningBot) -> None:
    storage, now = export_bot.storage, export_bot.clock.now()
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    file(storage, "pgs", "stage_summary", "2023-09-15", person=zhang, kind=SubmissionKind.summary, data=summary_data(basic="全所开展检查。"), at=now)
    user = export_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    _, data = _document(export_bot, await ask(user, "/compile 第一阶段", "汇编"))
    texts = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert "目　录" not in texts
    assert "平岗市场监管所阶段性工作总结（第一阶段）" in texts and "全所开展检查。" in texts


async def test_compile_with_files_is_a_zip_with_a_manifest(export_bot: RunningBot, files_dir: Path) -> None:
    storage, now = export_bot.storage, export_bot.clock.now()
    zhang = liaison(storage, "pgs", telegram_user_id=7001, name="张三", mobile="13800000001", now=now)
    _case_with_decision(storage, files_dir, "pgs", zhang, "销售假药", "决定书.pdf", now)
    _case_with_decision(storage, files_dir, "pgs", zhang, "无证经营药品案", "决定书.pdf", now, item_no=2)
    gone = _attach(storage, files_dir, b"%PDF lost", "丢失.pdf", now)
    sid = file(storage, "pgs", "stage_summary", "2023-09-15", person=zhang, kind=SubmissionKind.summary, data={"values": {"as_file": True}, "files": {"document": [gone]}}, at=now)
    with storage.session() as s:
        attachments.link_attachments(s, attachment_ids=[gone], submission_id=sid)
    for path in files_dir.rglob("*"):
        if path.is_file() and path.read_bytes() == b"%PDF lost":
            path.unlink()
    user = export_bot.emulator.user(COORDINATOR, first_name="苏荣", language_code="zh-hans")
    reply = await ask(user, "/compile 8月 附件", "附件")
    assert "附件 2 个" in reply.text
    name, data = _document(export_bot, reply)
    assert name == "报送材料汇编_2023年8月.zip"
    z = zipfile.ZipFile(io.BytesIO(data))
    names = z.namelist()
    assert "报送材料汇编_2023年8月.docx" in names and "附件清单.xlsx" in names
    assert "附件/平岗市场监管所_销售假药_决定书.pdf" in names
    assert "附件/平岗市场监管所_无证经营药品案_决定书.pdf" in names
    assert z.read("附件/平岗市场监管所_销售假药_决定书.pdf") == "%PDF-1.4 销售假药".encode()
    manifest = openpyxl.load_workbook(io.BytesIO(z.read("附件清单.xlsx")))["附件清单"]
    rows = list(manifest.iter_rows(values_only=True))
    assert rows[1][:6] == ("序号", "单位名称", "案件名称（材料）", "材料类别", "包内文件名", "原文件名")
    assert rows[2][1:5] == ("平岗市场监管所", "销售假药", "行政处罚决定书", "附件/平岗市场监管所_销售假药_决定书.pdf") and rows[2][8] == "已收入"
    assert manifest.print_title_rows == "$1:$2" and manifest.freeze_panes == "A3"

    summary = await ask(user, "/compile 第一阶段 附件", "附件")
    assert "1 个附件在服务器上找不到" in summary.text
    z = zipfile.ZipFile(io.BytesIO(_document(export_bot, summary)[1]))
    rows = list(openpyxl.load_workbook(io.BytesIO(z.read("附件清单.xlsx")))["附件清单"].iter_rows(values_only=True))
    assert rows[2][5] == "丢失.pdf" and rows[2][8] == "文件缺失" and rows[2][3] == "工作总结"
