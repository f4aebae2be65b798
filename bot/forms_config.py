"""A report type's form (填报表单) as the config declares it: fields, a table with checks, sections.

`[report_types.form]` in a campaign's config; a report type without one gets the shipped form of its
template (`bot/services/submissions/forms/shipped.toml`, validated by the same models). Every
mistake is named by `check-config` with its key, its value and what is expected.

    [report_types.form]
    fields = [
      { key = "title", kind = "text", label = "案件名称", label_en = "Case name", max_length = 200 },
      { key = "fine", kind = "amount", label = "罚没款", label_en = "Fine", unit = "元", decimals = 2, optional = true },
    ]
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from schedules.rules import Strict

FieldKind = Literal["text", "section", "whole", "amount", "date", "choice", "yes_no", "phone", "file", "note"]
FILE_TYPES = ("PDF", "JPEG", "PNG", "DOC", "DOCX", "XLSX")
_KEY = r"^[a-z][a-z0-9_]{0,31}$"
_OPS = ("<=", ">=", "==", "<", ">")
_CHECK = re.compile(r"^\s*(?P<left>[^<>=]*?)\s*(?P<op><=|>=|==|<|>)\s*(?P<right>[^<>=]+?)\s*$")


class Labelled(Strict):
    """Something with a key and a name in Chinese and English."""

    key: str = Field(pattern=_KEY, description="lower-case letters, digits and _; starts with a letter")
    label: str = Field(min_length=1)
    label_en: str = Field(min_length=1)

    def name(self, language: str) -> str:
        return self.label if language == "zh-CN" else self.label_en


class Option(Labelled):
    """One answer of a `choice` field."""


class FormField(Labelled):
    """One question of a form: how its answer is read and checked."""

    kind: FieldKind
    optional: bool = Field(default=False, description="a skip button is offered")
    optional_if: str | None = Field(default=None, description="skippable when this yes/no field was answered yes")
    ask: str | None = Field(default=None, description="the question; default: the catalog's or one made from the label")
    ask_en: str | None = None
    min_length: int = Field(default=1, ge=1)
    max_length: int = Field(default=4000, ge=1, le=4000)
    min: int | None = Field(default=None, description="whole: the smallest number")
    max: int | None = Field(default=None, description="whole: the largest number")
    unit: str | None = Field(default=None, description="whole/amount: its unit (家, 件, 元, 万元)")
    unit_en: str | None = None
    decimals: int = Field(default=0, ge=0, le=4, description="amount: decimals allowed")
    options: list[Option] = Field(default_factory=list, description="choice: the answers offered")
    types: list[Literal["PDF", "JPEG", "PNG", "DOC", "DOCX", "XLSX"]] = Field(
        default_factory=list, description="file (or a field that also takes a file): the file types accepted"
    )

    @model_validator(mode="after")
    def _fits_kind(self) -> FormField:
        if self.kind == "choice" and len(self.options) < 2:
            raise ValueError("a 'choice' field needs at least two 'options'")
        if self.kind != "choice" and self.options:
            raise ValueError(f"'options' are for 'choice' fields, not '{self.kind}'")
        if self.kind == "file" and not self.types:
            raise ValueError(f"a 'file' field needs 'types', some of {', '.join(FILE_TYPES)}")
        if self.min_length > self.max_length:
            raise ValueError("'min_length' must not exceed 'max_length'")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("'min' must not exceed 'max'")
        if self.kind == "amount" and not self.unit:
            raise ValueError("an 'amount' field needs its 'unit' (元 or 万元)")
        return self


class Column(Labelled):
    """A column of a table: a count, or an amount with decimals."""

    short: str | None = Field(default=None, description="a short name checks may use: 检查, 发现违规")
    kind: Literal["whole", "amount"] = "whole"
    decimals: int = Field(default=0, ge=0, le=4)
    unit: str | None = None
    unit_en: str | None = None

    def names(self) -> set[str]:
        return {n for n in (self.key, self.short, self.label) if n}


class Check(Strict):
    """A rule every row of a table keeps: `left op right`, a column against a column or a number."""

    left: str | None  # None: every column
    op: str
    right: str | Decimal


def parse_check(text: str, columns: list[Column]) -> Check:
    """'发现违规 <= 检查', 'violating <= inspected', '>= 0' (every cell); ValueError says what is wrong."""
    m = _CHECK.match(text)
    if m is None or m["op"] not in _OPS:
        raise ValueError(f"check {text!r}: expected 'column <= column', 'column >= 0' or '>= 0' (every cell)")

    def column(name: str) -> str:
        found = next((c.key for c in columns if name in c.names()), None)
        if found is None:
            known = ", ".join(c.short or c.key for c in columns)
            raise ValueError(f"check {text!r}: no column {name!r} (the columns: {known})")
        return found

    left = column(m["left"]) if m["left"] else None
    raw = m["right"]
    right: str | Decimal = Decimal(raw) if re.fullmatch(r"-?\d+(\.\d+)?", raw) else column(raw)
    return Check(left=left, op=m["op"], right=right)


class TableForm(Strict):
    """A table (附件1): rows × columns of figures, with checks; typed row by row or uploaded as .xlsx."""

    title: str = Field(min_length=1)
    title_en: str | None = None
    rows: list[Labelled] = Field(min_length=1, description="at least one row")
    columns: list[Column] = Field(min_length=1, description="at least one column")
    checks: list[str] = Field(default_factory=list, description="'发现违规 <= 检查', '>= 0'")
    cumulative: bool = Field(default=False, description="figures add up over the campaign: never lower than the previous period unless confirmed")
    since: date | None = Field(default=None, description="cumulative since this day")
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TableForm:
        for what, items in (("row", self.rows), ("column", self.columns)):
            keys = [i.key for i in items]
            twice = sorted({k for k in keys if keys.count(k) > 1})
            if twice:
                raise ValueError(f"{what} keys used twice: {', '.join(twice)}")
        problems = []
        for text in self.checks:
            try:
                parse_check(text, self.columns)
            except ValueError as e:
                problems.append(str(e))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def parsed_checks(self) -> list[Check]:
        return [parse_check(c, self.columns) for c in self.checks]

    def row(self, key: str) -> Labelled:
        return next(r for r in self.rows if r.key == key)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def heading(self, language: str) -> str:
        return self.title if language == "zh-CN" or not self.title_en else self.title_en


class Form(Strict):
    """What a liaison fills for one item of a report: questions in order, or a table, or sections."""

    fields: list[FormField] = Field(default_factory=list)
    table: TableForm | None = None
    whole_file: list[Literal["PDF", "JPEG", "PNG", "DOC", "DOCX", "XLSX"]] = Field(
        default_factory=list, description="the whole form may be sent as one file of these types (a summary as Word/PDF)"
    )

    @model_validator(mode="after")
    def _something(self) -> Form:
        if not self.fields and self.table is None:
            raise ValueError("a form needs 'fields' or a 'table'")
        keys = [f.key for f in self.fields]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(f"field keys used twice: {', '.join(twice)}")
        for f in self.fields:
            if f.optional_if is not None and not any(g.key == f.optional_if and g.kind == "yes_no" for g in self.fields):
                raise ValueError(f"field {f.key!r}: 'optional_if' names {f.optional_if!r}, which is not a yes_no field of this form")
        return self

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)
