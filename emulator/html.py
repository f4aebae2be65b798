"""Telegram's HTML parse mode: turn marked-up text into plain text and entities.

Follows tdlib's parser: only `<` starts markup, `&` that is not an entity stays literal,
unknown tags and unbalanced tags are errors with tdlib's wording. Offsets are UTF-16.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
ALL_TAGS = set(SIMPLE_TAGS) | {"span", "a", "tg-emoji", "tg-time"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")
_NAME_RE = re.compile(r"[a-zA-Z0-9\-]*")
_ATTR_RE = re.compile(r"\s*([a-zA-Z0-9\-_]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")


class EntityParseError(ValueError):
    """Markup Telegram cannot parse; str() is tdlib's explanation."""


@dataclass
class _Open:
    tag: str
    offset: int  # UTF-16 offset in the output where the entity starts
    attrs: dict[str, str] = field(default_factory=dict)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) or raise EntityParseError."""
    out: list[str] = []
    out_len = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(source)

    def byte_offset(pos: int) -> int:
        return len(source[:pos].encode("utf-8"))

    while i < n:
        ch = source[i]
        if ch == "&":
            m = _ENTITY_RE.match(source, i)
            decoded = _decode_entity(m.group(1)) if m else None
            if m and decoded is not None:
                out.append(decoded)
                out_len += utf16_len(decoded)
                i = m.end()
                continue
            out.append("&")
            out_len += 1
            i += 1
            continue
        if ch != "<":
            out.append(ch)
            out_len += utf16_len(ch)
            i += 1
            continue
        start = i
        if source.startswith("</", i):
            m = _NAME_RE.match(source, i + 2)
            assert m is not None
            name = m.group(0).lower()
            j = m.end()
            while j < n and source[j].isspace():
                j += 1
            if j >= n or source[j] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(start)}")
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(start)}")
            top = stack.pop()
            if name and name != top.tag:
                raise EntityParseError(
                    f"Unmatched end tag at byte offset {byte_offset(start)}, "
                    f'expected "</{top.tag}>", found "</{name}>"'
                )
            entity = _entity(top, out_len, stack)
            if entity is not None:
                entities.append(entity)
            i = j + 1
            continue
        m = _NAME_RE.match(source, i + 1)
        assert m is not None
        name = m.group(0).lower()
        if not name:
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {byte_offset(i + 1)}"
            )
        if name not in ALL_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {byte_offset(start)}'
            )
        j = m.end()
        attrs: dict[str, str] = {}
        while True:
            while j < n and source[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(start)}")
            if source[j] == ">":
                break
            am = _ATTR_RE.match(source, j)
            if am is None or am.end() == j:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(j)}'
                )
            value = am.group(2) or ""
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            attrs[am.group(1).lower()] = _unescape(value)
            j = am.end()
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError('Tag "span" must have class "tg-spoiler"')
        stack.append(_Open(name, out_len, attrs))
        i = j + 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _entity(tag: _Open, end: int, stack: list[_Open]) -> dict[str, Any] | None:
    length = end - tag.offset
    if length <= 0:
        return None
    base: dict[str, Any] = {"offset": tag.offset, "length": length}
    if tag.tag in ("span",):
        return {"type": "spoiler", **base}
    if tag.tag == "a":
        href = tag.attrs.get("href", "")
        if href.startswith("tg://user?id="):
            return {"type": "text_mention", **base, "user": {"id": int(href[13:] or 0)}}
        return {"type": "text_link", **base, "url": href} if href else None
    if tag.tag == "tg-emoji":
        return {"type": "custom_emoji", **base, "custom_emoji_id": tag.attrs.get("emoji-id", "")}
    if tag.tag == "tg-time":
        return {"type": "date_time", **base, "unix_time": int(tag.attrs.get("unix", "0") or 0)}
    if tag.tag == "code" and stack and stack[-1].tag == "pre":
        lang = tag.attrs.get("class", "")
        if lang.startswith("language-"):
            stack[-1].attrs["language"] = lang.removeprefix("language-")
        return None  # the enclosing <pre> carries it
    if tag.tag == "pre":
        language = tag.attrs.get("language")
        return {"type": "pre", **base, **({"language": language} if language else {})}
    if tag.tag == "blockquote" and "expandable" in tag.attrs:
        return {"type": "expandable_blockquote", **base}
    return {"type": SIMPLE_TAGS[tag.tag], **base}


def _decode_entity(body: str) -> str | None:
    if body.startswith("#x"):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    else:
        return NAMED_ENTITIES.get(body)
    if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000:
        return chr(code)
    return None


def _unescape(value: str) -> str:
    return _ENTITY_RE.sub(lambda m: _decode_entity(m.group(1)) or m.group(0), value)


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does, moving entities with the text."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    limit = utf16_len(stripped)
    moved = []
    for e in entities:
        start = max(e["offset"] - shift, 0)
        end = min(e["offset"] + e["length"] - shift, limit)
        if end > start:
            moved.append({**e, "offset": start, "length": end - start})
    return stripped, moved
