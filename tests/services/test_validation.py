"""The 附件10 field checks: what is accepted (and how it is tidied), what is refused."""

from __future__ import annotations

import pytest

from bot.services.people import validation
from bot.services.people.validation import Invalid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800001234", "13800001234"),
        ("138 0000 1234", "13800001234"),
        ("138-0000-1234", "13800001234"),
        ("+86 138 0000 1234", "13800001234"),
        ("+8613800001234", "13800001234"),
        ("19912345678", "19912345678"),
    ],
    ids=["plain", "spaces", "dashes", "plus86-spaced", "plus86", "199"],
)
def test_mobile_accepted(text: str, expected: str) -> None:
    assert validation.mobile(text) == expected


@pytest.mark.parametrize(
    "text",
    ["12800001234", "1380000123", "138000012345", "abc", "", "+1 138 0000 1234", "0564-1234567"],
    ids=["12x", "10-digits", "12-digits", "letters", "empty", "foreign-prefix", "landline"],
)
def test_mobile_refused(text: str) -> None:
    with pytest.raises(Invalid) as e:
        validation.mobile(text)
    assert e.value.key == "registration.invalid.mobile"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0564-1234567", "0564-1234567"),
        ("(0564)1234567", "0564-1234567"),
        ("（0564）1234567", "0564-1234567"),
        ("1234567-8001", "1234567-8001"),
        ("0564-12345678转8001", "0564-12345678-8001"),
        ("010 12345678", "010-12345678"),
        ("05641234567", "0564-1234567"),
        ("12345678", "12345678"),
        ("138 0000 1234", "13800001234"),
    ],
    ids=["area-dash", "parens", "fullwidth-parens", "ext", "zhuan", "beijing-space", "no-dash", "8-digits", "mobile"],
)
def test_office_phone_accepted(text: str, expected: str) -> None:
    assert validation.office_phone(text) == expected


@pytest.mark.parametrize("text", ["电话", "12345", "0564-123", "abc-1234567", "", "0564-1234567-"], ids=["words", "short", "short-local", "letters", "empty", "dangling"])
def test_office_phone_refused(text: str) -> None:
    with pytest.raises(Invalid):
        validation.office_phone(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("zw@example.gov.cn", "zw@example.gov.cn"), ("ZW@Example.GOV.cn", "ZW@example.gov.cn"), (" a.b+c@mail.163.com ", "a.b+c@mail.163.com"), ("li＠qq.com", "li@qq.com")],
    ids=["plain", "domain-lowered", "plus-and-spaces", "fullwidth-at"],
)
def test_email_accepted(text: str, expected: str) -> None:
    assert validation.email(text) == expected


@pytest.mark.parametrize("text", ["not-an-email", "a@b", "a@@b.cn", "a@b..cn", "@b.cn", "a b@c.cn", "a@b.c1"], ids=["no-at", "no-tld", "double-at", "double-dot", "no-local", "space", "numeric-tld"])
def test_email_refused(text: str) -> None:
    with pytest.raises(Invalid):
        validation.email(text)


@pytest.mark.parametrize(("text", "expected"), [("张伟", "张伟"), ("  欧阳  娜娜 ", "欧阳 娜娜"), ("Ann Lee", "Ann Lee"), ("阿" * 20, "阿" * 20)], ids=["two", "squashed", "latin", "twenty"])
def test_name_accepted(text: str, expected: str) -> None:
    assert validation.name(text) == expected


@pytest.mark.parametrize("text", ["张", "阿" * 21, "张伟1", "<b>张伟</b>", ""], ids=["one", "twenty-one", "digit", "markup", "empty"])
def test_name_refused(text: str) -> None:
    with pytest.raises(Invalid) as e:
        validation.name(text)
    assert e.value.key == "registration.invalid.name"


def test_every_field_has_a_check_and_texts() -> None:
    from bot.texts.catalog import texts

    for language in ("zh-CN", "en"):
        catalog = texts(language)
        for field in validation.FIELDS:
            kebab = field.replace("_", "-")
            assert f"registration.ask.{kebab}" in catalog and f"registration.invalid.{kebab}" in catalog
            assert f"registration.field.{kebab}" in catalog
    assert set(validation.VALIDATORS) == set(validation.FIELDS)
