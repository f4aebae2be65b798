"""Checks of the 附件10 fields a liaison types: each returns the tidied value or raises `Invalid`.

Pure functions (no storage, no Telegram) so registration, /me and imports share them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

NAME_MIN, NAME_MAX = 2, 20
TEXT_MAX = 60


class Invalid(ValueError):
    """An answer that does not fit; `key` names the catalog text saying what is expected."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def name(text: str) -> str:
    """姓名: 2–20 characters, no digits or markup-looking characters."""
    value = _squash(text)
    if not NAME_MIN <= len(value) <= NAME_MAX or re.search(r"[\d<>@/\\]", value):
        raise Invalid("registration.invalid.name")
    return value


def _short_text(text: str, key: str) -> str:
    value = _squash(text)
    if not 2 <= len(value) <= TEXT_MAX or value.startswith("/"):
        raise Invalid(key)
    return value


def department(text: str) -> str:
    """所在部门: 2–60 characters."""
    return _short_text(text, "registration.invalid.department")


def title(text: str) -> str:
    """职务: 2–60 characters."""
    return _short_text(text, "registration.invalid.title")


_MOBILE = re.compile(r"1[3-9]\d{9}")


def mobile(text: str) -> str:
    """移动电话: a mainland mobile number (11 digits, 1[3-9]…), spaces, dashes and +86 allowed; tidied to 11 digits."""
    value = re.sub(r"[\s\-]", "", text.strip())
    value = re.sub(r"^(\+86|0086|86)(?=1\d{10}$)", "", value)
    if not _MOBILE.fullmatch(value):
        raise Invalid("registration.invalid.mobile")
    return value


_OFFICE = re.compile(
    r"""
    (?:(?P<area>0\d{2,3})[-\s]?|\((?P<area2>0\d{2,3})\)\s?|（(?P<area3>0\d{2,3})）)?   # area code, optional
    (?P<number>[1-9]\d{6,7})                                                          # 7–8 digits
    (?:\s*(?:-|转|ext\.?|x|分机)\s*(?P<ext>\d{1,6}))?                                   # extension, optional
    """,
    re.VERBOSE | re.IGNORECASE,
)


def office_phone(text: str) -> str:
    """办公电话: with or without area code and extension (0564-1234567, (0564)1234567, 1234567-8001, 0564-12345678转8001)."""
    raw = text.strip()
    m = _OFFICE.fullmatch(raw)
    if m is None:
        # a mobile number is an acceptable office phone for many small units
        try:
            return mobile(raw)
        except Invalid:
            raise Invalid("registration.invalid.office-phone") from None
    area = m.group("area") or m.group("area2") or m.group("area3")
    out = f"{area}-{m.group('number')}" if area else m.group("number")
    if m.group("ext"):
        out += f"-{m.group('ext')}"
    return out


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")


def email(text: str) -> str:
    """电子邮箱: an address such as name@example.gov.cn (lower-cased domain)."""
    value = text.strip().replace("＠", "@")
    if len(value) > 254 or not _EMAIL.fullmatch(value) or ".." in value:
        raise Invalid("registration.invalid.email")
    local, _, domain = value.rpartition("@")
    if not re.search(r"\.[A-Za-z]{2,}$", domain):
        raise Invalid("registration.invalid.email")
    return f"{local}@{domain.lower()}"


# The 附件10 fields in the order they are asked, with their checks.
FIELDS: tuple[str, ...] = ("name", "department", "title", "office_phone", "mobile", "email")
VALIDATORS: dict[str, Callable[[str], str]] = {
    "name": name,
    "department": department,
    "title": title,
    "office_phone": office_phone,
    "mobile": mobile,
    "email": email,
}


def check(field: str, text: str) -> str:
    """The tidied value of `field`, or `Invalid`."""
    return VALIDATORS[field](text)
