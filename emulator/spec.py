"""The Bot API specification (api.json) and the checks every request goes through.

Parameters arrive as JSON values (JSON body) or as strings (query string, form, multipart,
where PTB JSON-serialises nested values); `Spec.check` turns both into native values and
rejects what Telegram would not understand.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).parent / "spec" / "api.json"
PRIMITIVES = {"Integer", "String", "Boolean", "Float", "True"}
_INT_RE = re.compile(r"^-?\d+$")
_MUST_BE_RE = re.compile(r"must be ([\w\-]+)")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    data: bytes
    file_name: str
    mime_type: str


class SpecError(Exception):
    """A request that does not match the specification; `description` is Telegram-like."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class _Mismatch(Exception):
    """A nested value that does not match its type."""


@dataclass(frozen=True)
class Field:
    """One parameter of a method or field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str


class Spec:
    """The loaded api.json."""

    def __init__(self, path: Path = SPEC_PATH) -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.version: str = raw.get("version", "")
        self._methods: dict[str, dict[str, Any]] = raw["methods"]
        self._types: dict[str, dict[str, Any]] = raw["types"]
        self._by_lower = {name.lower(): name for name in self._methods}

    def method_name(self, name: str) -> str | None:
        """The canonical spelling of a method name (case-insensitive), or None."""
        return self._by_lower.get(name.lower())

    def returns(self, method: str) -> list[str]:
        """The return types of a method."""
        return list(self._methods[method].get("returns", []))

    def fields(self, method: str) -> dict[str, Field]:
        """The parameters of a method, by name."""
        return _fields(self._methods[method])

    @cached_property
    def _type_fields(self) -> dict[str, dict[str, Field]]:
        return {name: _fields(t) for name, t in self._types.items() if "fields" in t}

    def check(
        self, method: str, params: dict[str, Any], files: dict[str, UploadedFile]
    ) -> dict[str, Any]:
        """Return the parameters as native values, or raise SpecError."""
        fields = self.fields(method)
        out: dict[str, Any] = {}
        for name in list(params) + [f for f in files if f not in params]:
            if name not in fields:
                if name in files and _is_attachment(name, params):
                    continue  # an attach://name upload referenced from another parameter
                raise SpecError(f'Bad Request: unknown parameter "{name}"')
        for name, field in fields.items():
            if name in files and name not in params:
                if "InputFile" not in field.types:
                    raise SpecError(f'Bad Request: parameter "{name}" can\'t be a file')
                out[name] = files[name]
                continue
            if name not in params or params[name] is None:
                if field.required:
                    if name == "text":
                        raise SpecError("Bad Request: message text is empty")
                    raise SpecError(f"Bad Request: {name} is empty")
                continue
            try:
                out[name] = self._top_value(params[name], field.types)
            except _Mismatch as exc:
                if name == "reply_markup":
                    raise SpecError(
                        f"Bad Request: can't parse reply keyboard markup JSON object: {exc}"
                    ) from None
                expected = " or ".join(field.types)
                raise SpecError(
                    f'Bad Request: invalid parameter "{name}": expected {expected}; {exc}'
                ) from None
        return out

    def _top_value(self, value: Any, types: tuple[str, ...]) -> Any:
        """Coerce a top-level parameter, which may arrive as a string."""
        problems: list[str] = []
        for t in types:
            try:
                if t in PRIMITIVES:
                    return _coerce_primitive(value, t, lenient=True)
                if t == "InputFile":
                    continue  # uploads are handled as files; a string falls to "String"
                decoded = value
                if isinstance(value, str):
                    try:
                        decoded = json.loads(value)
                    except ValueError:
                        raise _Mismatch("not valid JSON") from None
                return self._nested(decoded, t)
            except _Mismatch as exc:
                problems.append(str(exc))
        raise _Mismatch("; ".join(dict.fromkeys(problems)) or "wrong type")

    def _nested(self, value: Any, t: str, path: str = "") -> Any:
        """Check a JSON value against a spec type strictly; return it unchanged."""
        if t.startswith("Array of "):
            if not isinstance(value, list):
                raise _Mismatch(f"{path or 'value'} must be an Array")
            inner = t.removeprefix("Array of ")
            return [self._nested(v, inner, f"{path}[{i}]") for i, v in enumerate(value)]
        if t in PRIMITIVES:
            return _coerce_primitive(value, t, lenient=False, path=path)
        if t == "InputFile":
            if isinstance(value, str):
                return value
            raise _Mismatch(f"{path} must be a file reference")
        spec_type = self._types.get(t)
        if spec_type is None:
            return value
        if "subtypes" in spec_type:
            return self._subtype(value, spec_type["subtypes"], path)
        if not isinstance(value, dict):
            raise _Mismatch(f"{path or t} must be an object {t}")
        fields = self._type_fields.get(t, {})
        for key in value:
            if key not in fields:
                raise _Mismatch(f'unknown field "{f"{path}.{key}" if path else key}" in {t}')
        for name, field in fields.items():
            sub = f"{path}.{name}" if path else name
            if name not in value:
                if field.required:
                    raise _Mismatch(f'field "{sub}" of {t} is required')
                continue
            problems = []
            for ft in field.types:
                try:
                    self._nested(value[name], ft, sub)
                    break
                except _Mismatch as exc:
                    problems.append(str(exc))
            else:
                raise _Mismatch("; ".join(problems))
            match = _MUST_BE_RE.search(field.description)
            if name in ("type", "source") and match:
                if value[name] != match.group(1):
                    raise _Mismatch(f'field "{sub}" must be "{match.group(1)}"')
        return value

    def _subtype(self, value: Any, subtypes: list[str], path: str) -> Any:
        problems = []
        for sub in subtypes:
            try:
                return self._nested(value, sub, path)
            except _Mismatch as exc:
                problems.append(f"{sub}: {exc}")
        raise _Mismatch(f"{path or 'value'} matches none of " + ", ".join(subtypes))


def _fields(obj: dict[str, Any]) -> dict[str, Field]:
    return {
        f["name"]: Field(f["name"], tuple(f["types"]), bool(f["required"]), f.get("description", ""))
        for f in obj.get("fields", [])
    }


def _is_attachment(name: str, params: dict[str, Any]) -> bool:
    ref = f"attach://{name}"
    return any(isinstance(v, str) and ref in v for v in params.values())


def _coerce_primitive(value: Any, t: str, *, lenient: bool, path: str = "") -> Any:
    """Coerce to Integer/Float/String/Boolean; `lenient` accepts the string forms."""
    where = path or "value"
    if t == "Integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if lenient and isinstance(value, str) and _INT_RE.match(value.strip()):
            return int(value)
        raise _Mismatch(f"{where} must be an Integer")
    if t == "Float":
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        if lenient and isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise _Mismatch(f"{where} must be a Float")
    if t in ("Boolean", "True"):
        if isinstance(value, bool):
            return value
        if lenient and isinstance(value, (str, int)):
            text = str(value).strip().lower()
            if text in ("true", "1"):
                return True
            if text in ("false", "0"):
                return False
        raise _Mismatch(f"{where} must be a Boolean")
    # String
    if isinstance(value, str):
        return value
    if lenient and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # Telegram accepts numbers where it expects strings
    raise _Mismatch(f"{where} must be a String")
