"""The campaign configuration: `config.toml` validated into typed models.

Every mistake is reported at once with its key, its value and what is expected
(`ConfigError.problems`); unknown keys are mistakes too.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from bot.forms_config import Form
from schedules.rules import CalendarSettings, QuietHours, ReportTiming, Strict

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_DATABASE_URL = "sqlite:///data/liaison-bot.sqlite3"
TOKEN_ENV = "LIAISON_BOT_TOKEN"
API_URL_ENV = "LIAISON_BOT_API_URL"
DATABASE_URL_ENV = "LIAISON_BOT_DATABASE_URL"
WEBHOOK_SECRET_ENV = "LIAISON_BOT_WEBHOOK_SECRET"
# Telegram posts webhooks only to these ports (https://core.telegram.org/bots/api#setwebhook).
WEBHOOK_PORTS = (443, 80, 88, 8443)
# PTB routes the webhook path as a regular expression: keep it to characters that mean themselves.
_WEBHOOK_PATH = re.compile(r"^/[A-Za-z0-9_.~/-]*$")
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"


class TemplateKind(StrEnum):
    """What a submission of a report type looks like (the seeds' 附件)."""

    CASE = "case"  # 典型案例 (附件8 / 附件2)
    STATISTICS = "statistics"  # 统计表 (附件1)
    SUMMARY = "summary"  # 工作总结 (附件9 / 附件3)
    CONFIRMATION = "confirmation"  # one tap: "entered in the national system"
    LIAISON = "liaison"  # 联络员信息表 (附件10): done by registering
    FREE = "free"  # free text and files (重大问题随时上报)


class Campaign(Strict):
    """The campaign itself: its name, its time zone and when it runs."""

    name: str = Field(min_length=1)
    name_en: str | None = None
    timezone: str = "Asia/Shanghai"
    start: date
    end: date

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone; expected an IANA name such as 'Asia/Shanghai'") from None
        return value

    @model_validator(mode="after")
    def _order(self) -> Campaign:
        if self.end < self.start:
            raise ValueError("'end' must not be before 'start'")
        return self

    @property
    def tz(self) -> ZoneInfo:
        """The campaign's zone, for display and for "end of day"."""
        return ZoneInfo(self.timezone)


class TelegramSettings(Strict):
    """Where the Bot API is, and the webhook if updates come by webhook instead of long polling.

    The token and the webhook's secret token never live here, only in the environment.
    """

    api_url: str = DEFAULT_API_URL
    bot_username: str | None = Field(default=None, description="used for invite links before getMe answers")
    webhook_url: str | None = Field(default=None, description="the public https URL Telegram posts updates to")
    webhook_listen: str = Field(default="127.0.0.1", description="the address the bot's webhook server listens on")
    webhook_port: int = Field(default=8443, description="the port the bot's webhook server listens on")
    webhook_path: str | None = Field(default=None, description="the path the bot's server answers; default: webhook_url's")

    @field_validator("api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(
                "expected the public https:// URL Telegram posts updates to, e.g. 'https://bot.example.org/telegram' "
                "(Telegram posts only to https; a proxy in front of the bot terminates TLS)"
            )
        try:
            port = parts.port or 443
        except ValueError:
            raise ValueError("the port in the URL is not a number from 1 to 65535") from None
        if port not in WEBHOOK_PORTS:
            raise ValueError(f"Telegram posts webhooks only to ports 443, 80, 88 or 8443, not {port}")
        if parts.username or parts.password:
            raise ValueError("a user name or password in the URL is not supported; the secret token authenticates Telegram")
        if parts.query or parts.fragment:
            raise ValueError("expected no '?query' or '#fragment'; the secret token authenticates Telegram")
        if not _WEBHOOK_PATH.match(parts.path or "/"):
            raise ValueError("the URL's path may contain only letters, digits and / _ - . ~")
        try:
            address = ipaddress.ip_address(parts.hostname)
        except ValueError:
            address = None
        if address is not None and not address.is_global:
            raise ValueError(f"Telegram does not post to the private or local address {address}; use the public name or address")
        return value.strip()

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,252}[A-Za-z0-9])?", value):
                raise ValueError(
                    "expected an address to listen on: '127.0.0.1' (a proxy on this machine forwards to the bot), "
                    "'0.0.0.0' (every interface) or a host name"
                ) from None
        return value

    @field_validator("webhook_port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 1 <= value <= 65535:
            raise ValueError("expected a port number from 1 to 65535")
        return value

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not _WEBHOOK_PATH.match(value):
            raise ValueError("expected a path starting with '/' of letters, digits and / _ - . ~, e.g. '/telegram'")
        return value

    @model_validator(mode="after")
    def _webhook_complete(self) -> TelegramSettings:
        given = sorted(k for k in ("webhook_listen", "webhook_port", "webhook_path") if k in self.model_fields_set)
        if given and self.webhook_url is None:
            raise ValueError(
                f"{', '.join(given)} given without webhook_url: set webhook_url (the public https URL Telegram posts to) "
                "to receive updates by webhook, or remove them to use long polling"
            )
        return self

    @property
    def webhook_url_path(self) -> str:
        """The path the bot's webhook server answers: `webhook_path`, else the path of `webhook_url`."""
        if self.webhook_path:
            return self.webhook_path
        return urlsplit(self.webhook_url or "").path or "/"


class DatabaseSettings(Strict):
    """Storage: SQLite by default, PostgreSQL by URL."""

    url: str = DEFAULT_DATABASE_URL

    @field_validator("url")
    @classmethod
    def _scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql", "postgres:")):
            raise ValueError("expected a sqlite:/// or postgresql:// URL")
        return value


class FilesSettings(Strict):
    """Where uploaded files (决定书, summaries, tables) are kept, content-addressed."""

    dir: str = Field(default="data/files", min_length=1, description="folder for attachments; LIAISON_BOT_FILES_DIR overrides")


class ReminderSettings(Strict):
    """Campaign-wide reminder behaviour."""

    quiet_hours: QuietHours | None = None
    backup_gets_reminders: bool = True
    missed_grace: timedelta = Field(
        default=timedelta(hours=12),
        description="a reminder missed while down is sent late within this, and a failed send retried until then (quiet hours not counted)",
    )
    digest_time: time = time(9, 0)
    escalate_after_days: int = Field(default=3, ge=1)
    nudge_interval: timedelta = Field(default=timedelta(hours=4))

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet(cls, value: object) -> object:
        return QuietHours.parse(value) if isinstance(value, str) else value

    @field_validator("missed_grace", "nudge_interval", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value


class Unit(Strict):
    """A unit that owes reports (所、队、股室、工作组、县区局 …)."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$", description="short code: letters, digits, _ or -")
    name: str = Field(min_length=1)
    name_en: str | None = None
    tags: list[str] = Field(default_factory=list)


class ReportType(ReportTiming):
    """A kind of report the units owe: what it is, who owes it, when, and how it is reminded."""

    title: str = Field(min_length=1)
    title_en: str | None = None
    template: TemplateKind
    owed_by: list[str] = Field(default_factory=list, description="unit tags that owe it; empty: every unit")
    min_items: int = Field(default=1, ge=0)
    max_items: int = Field(default=1, ge=1)
    zero_report: bool = Field(default=False, description="零报告 allowed")
    signoff: bool = Field(default=False, description="counts as filed only once the unit head (单位负责人) approves it")
    form: Form | None = Field(default=None, description="what is filed (bot/forms_config.py); default: the template's shipped form")

    @field_validator("key")
    @classmethod
    def _not_adhoc(cls, value: str, info: ValidationInfo) -> str:
        # bot.services.deadlines.adhoc builds its own report types with the context {"adhoc": True}
        if value.startswith("adhoc_") and not (info.context or {}).get("adhoc"):
            raise ValueError("keys starting with 'adhoc_' are reserved for deadlines added with /deadline")
        return value

    @model_validator(mode="after")
    def _items(self) -> ReportType:
        if self.min_items > self.max_items:
            raise ValueError("'min_items' must not exceed 'max_items'")
        if self.form is not None and self.template == TemplateKind.LIAISON:
            raise ValueError("a 'liaison' report is filed by registering: it takes no 'form'")
        return self


class People(Strict):
    """Coordinators and leaders known before anyone registers, by Telegram user id."""

    coordinators: list[int] = Field(default_factory=list)
    leaders: list[int] = Field(default_factory=list)


class Config(Strict):
    """The whole of `config.toml`."""

    campaign: Campaign
    language: Literal["zh-CN", "en"] = "zh-CN"
    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    files: FilesSettings = FilesSettings()
    calendar: CalendarSettings = CalendarSettings()
    reminders: ReminderSettings = ReminderSettings()
    people: People = People()
    units: list[Unit] = Field(default_factory=list)
    report_types: list[ReportType] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> Config:
        # A config built in code is checked too; `load_config` names each problem by its key instead.
        problems = cross_references(self.model_dump(mode="python"))
        if problems:
            raise ValueError("; ".join(f"{p.key}: {p.expected}" for p in problems))
        return self

    def report(self, key: str) -> ReportType:
        """The report type with this key."""
        for r in self.report_types:
            if r.key == key:
                return r
        raise KeyError(key)

    def units_owing(self, report: ReportType) -> list[Unit]:
        """The units that owe a report type."""
        if not report.owed_by:
            return list(self.units)
        return [u for u in self.units if set(u.tags) & set(report.owed_by)]


def parse_duration(text: str) -> timedelta:
    """Read '12h', '30m', '2d', '45s' or '1h30m'."""
    import re

    parts = re.findall(r"(\d+)\s*([dhms])", text.strip())
    if not parts or "".join(n + u for n, u in parts) != re.sub(r"\s+", "", text.strip()):
        raise ValueError(f"{text!r} is not a duration; expected e.g. '12h', '30m', '2d', '1h30m'")
    seconds = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    return timedelta(seconds=sum(int(n) * seconds[u] for n, u in parts))


@dataclass(frozen=True)
class Problem:
    """One mistake in a config file."""

    key: str
    value: Any
    expected: str

    def __str__(self) -> str:
        return f"{self.key or '(top level)'}: {_shown(self.value)}: {self.expected}"


def _shown(value: Any) -> str:
    """A value as the file has it, short: a table shows its first scalar keys, not every unit."""
    if value is _MISSING:
        return "(missing)"
    if value is _HIDDEN:
        return "(not shown)"
    if isinstance(value, dict):
        scalars = [(k, v) for k, v in value.items() if not isinstance(v, (dict, list))]
        inner = ", ".join(f"{k} = {_scalar(v)}" for k, v in scalars[:4])
        return "{" + inner + (", …" if len(value) > min(len(scalars), 4) else "") + "}"
    if isinstance(value, list) and len(repr(value)) > 120:
        return f"[{len(value)} entries]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    return value.isoformat() if isinstance(value, (date, time)) else repr(value)


_MISSING = object()
_HIDDEN = object()  # a secret put where it does not belong is named, not shown


class ConfigError(Exception):
    """A config file with mistakes; `problems` names every one."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))


def _key(loc: tuple[int | str, ...], data: Any) -> str:
    """Render a pydantic location with names: units[3].code, report_types[typical_case].schedule.day."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            label: str = str(part)
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                name = node[part].get("key") or node[part].get("code")
                if isinstance(name, str):
                    label = f"{part}:{name}"
            out += f"[{label}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            if part in {"monthly", "quarterly", "half_yearly", "yearly", "weekly", "fixed", "once", "any_time"} and isinstance(node, dict) and node.get("kind") == part:
                continue  # the discriminator's branch name adds nothing for a reader
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _value_at(loc: tuple[int | str, ...], data: Any) -> Any:
    node = data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict):
            if part in node:
                node = node[part]
            elif node.get("kind") == part:
                continue
            else:
                return _MISSING
        else:
            return _MISSING
    return node


_TOKEN_ONLY = f"the bot token never lives in the config file: remove it and set ${TOKEN_ENV}"
_SECRET_ONLY = f"the webhook's secret token never lives in the config file: remove it and set ${WEBHOOK_SECRET_ENV} (or leave it unset for a random one)"
# Secrets someone may try to put in the file: say where they go instead.
_ENVIRONMENT_ONLY: dict[tuple[int | str, ...], str] = {
    **{("telegram", k): _TOKEN_ONLY for k in ("token", "bot_token")},
    **{("telegram", k): _SECRET_ONLY for k in ("secret_token", "webhook_secret", "webhook_secret_token")},
}


def cross_references(data: dict[str, Any]) -> list[Problem]:
    """What no single field can tell, read from the raw file (so it is named along with every
    field's mistake): codes and keys used twice, tags no unit has, dates outside the campaign."""
    problems: list[Problem] = []
    units = [u for u in data.get("units") or [] if isinstance(u, dict)]
    seen: set[object] = set()
    for i, unit in enumerate(data.get("units") or []):
        code = unit.get("code") if isinstance(unit, dict) else None
        if code in seen:
            problems.append(Problem(_key(("units", i, "code"), data), code, "this unit code is used twice; codes must be unique"))
        seen.add(code)
    seen = set()
    for i, report in enumerate(data.get("report_types") or []):
        key = report.get("key") if isinstance(report, dict) else None
        if key in seen:
            problems.append(Problem(_key(("report_types", i, "key"), data), key, "this report type key is used twice; keys must be unique"))
        seen.add(key)
    tags = {t for u in units for t in (u.get("tags") or []) if isinstance(t, str)}
    for i, report in enumerate(data.get("report_types") or []):
        if not isinstance(report, dict):
            continue
        for j, tag in enumerate(report.get("owed_by") or []):
            if tag not in tags:
                known = "、".join(sorted(tags)) or "none"
                problems.append(Problem(_key(("report_types", i, "owed_by", j), data), tag, f"no unit has this tag (the units' tags: {known})"))
    problems.extend(_dates_outside(data))
    return problems


def _dates_outside(data: dict[str, Any]) -> list[Problem]:
    """Fixed and one-off due dates outside [campaign.start, campaign.end]: they would silently never be due."""
    campaign = data.get("campaign") if isinstance(data.get("campaign"), dict) else {}
    start, end = campaign.get("start"), campaign.get("end")
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        return []  # (an end before the start is its own problem)
    out: list[Problem] = []
    expected = f"a due date within the campaign, {start.isoformat()} to {end.isoformat()}"
    for i, report in enumerate(data.get("report_types") or []):
        schedule = report.get("schedule") if isinstance(report, dict) else None
        if not isinstance(schedule, dict):
            continue
        if schedule.get("kind") == "once" and isinstance(schedule.get("date"), date) and not start <= schedule["date"] <= end:
            out.append(Problem(_key(("report_types", i, "schedule", "date"), data), schedule["date"], expected))
        if schedule.get("kind") == "fixed":
            for j, entry in enumerate(schedule.get("dates") or []):
                day = entry.get("date") if isinstance(entry, dict) else None
                if isinstance(day, date) and not start <= day <= end:
                    out.append(Problem(_key(("report_types", i, "schedule", "dates", j, "date"), data), day, expected))
    return out


def _problems(error: ValidationError, data: dict[str, Any]) -> list[Problem]:
    problems = []
    for e in error.errors(include_url=False):
        loc = tuple(e["loc"])
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = _ENVIRONMENT_ONLY.get(loc, "unknown key (a typo?); remove it or check the spelling")
        elif e["type"] == "missing":
            msg = "required key is missing"
        value = _HIDDEN if loc in _ENVIRONMENT_ONLY else _value_at(loc, data)
        problems.append(Problem(key=_key(loc, data), value=value, expected=msg))
    return problems


def _anchor_paths(data: dict[str, Any], base: Path, *, anchor_database: bool) -> None:
    """Relative paths in the file (the SQLite database, the attachments folder) are relative to the
    file, not to wherever the command is run: `run` started from another folder must not open
    another, empty database."""
    database = data.get("database") if isinstance(data.get("database"), dict) else None
    url = database.get("url", DEFAULT_DATABASE_URL) if database is not None else DEFAULT_DATABASE_URL
    if anchor_database and isinstance(url, str) and url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url.removeprefix("sqlite:///")
        if relative and not relative.startswith(":memory:"):
            data.setdefault("database", {})["url"] = f"sqlite:///{(base / relative).resolve()}"
    files = data.get("files") if isinstance(data.get("files"), dict) else None
    folder = files.get("dir", "data/files") if files is not None else "data/files"
    if isinstance(folder, str) and folder and not Path(folder).is_absolute():
        data.setdefault("files", {})["dir"] = str((base / folder).resolve())


def load_config(path: str | Path | None = None, *, environ: dict[str, str] | None = None) -> Config:
    """Read and validate a config file; the environment may override the API and database URLs."""
    env = os.environ if environ is None else environ
    file = Path(path) if path else DEFAULT_CONFIG
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(file, [Problem("", str(file), "file not found")]) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(file, [Problem("", _MISSING, f"not valid TOML: {e}")]) from None
    if env.get(API_URL_ENV):
        data.setdefault("telegram", {})["api_url"] = env[API_URL_ENV]
    if env.get(DATABASE_URL_ENV):
        data.setdefault("database", {})["url"] = env[DATABASE_URL_ENV]
    _anchor_paths(data, file.parent, anchor_database=not env.get(DATABASE_URL_ENV))  # (an environment URL is taken as given)
    references = cross_references(data)
    try:
        config = Config.model_validate(data)
    except ValidationError as e:
        fields = [p for p in _problems(e, data) if not (references and p.key == "")]  # the model's summary of `references`
        raise ConfigError(file, fields + references) from None
    if references:  # (the model validator saw the same; kept for configs built in code)
        raise ConfigError(file, references)
    return config
