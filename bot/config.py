"""The campaign configuration: `config.toml` validated into typed models.

Every mistake is reported at once with its key, its value and what is expected
(`ConfigError.problems`); unknown keys are mistakes too."""

from __future__ import annotations

import os
import tomllib
from datetime import date, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from bot.configcheck.problems import HIDDEN, MISSING, ConfigError, Problem, key_path, value_at
from bot.configcheck.references import cross_references
from bot.configcheck.toml_syntax import where_and_hint
from bot.configcheck.wording import allowed_keys, explain
from bot.telegram_settings import API_URL_ENV, WEBHOOK_SECRET_ENV, TelegramSettings
from bot.forms_config import Form
from bot.parsing import Limits
from schedules.rules import CalendarSettings, Offset, QuietHours, ReportTiming, Schedule, Strict


DEFAULT_DATABASE_URL = "sqlite:///data/liaison-bot.sqlite3"
TOKEN_ENV = "LIAISON_BOT_TOKEN"


DATABASE_URL_ENV = "LIAISON_BOT_DATABASE_URL"
CONFIG_ENV = "LIAISON_BOT_CONFIG"


# The campaign file of a source checkout (absent from an installed wheel).
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"
# Where a config is looked for when no path is given, after $LIAISON_BOT_CONFIG.
CONFIG_SEARCH = (Path("config.toml"), Path("/etc/liaison-bot/config.toml"), DEFAULT_CONFIG)


def config_path(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Path:
    """The config file to read: `path`, else $LIAISON_BOT_CONFIG, else the first of `CONFIG_SEARCH` that exists
    (./config.toml, /etc/liaison-bot/config.toml, the source checkout's); ./config.toml if none does."""
    env = os.environ if environ is None else environ
    if path:
        return Path(path)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    return next((p for p in CONFIG_SEARCH if p.is_file()), CONFIG_SEARCH[0])


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
    parse_seconds: float = Field(default=20.0, gt=0, le=600, description="the longest an uploaded file may take to be read (in a worker process)")
    parse_memory_mb: int = Field(default=512, ge=64, le=16384, description="the memory a file's reading may take above the idle worker process")

    @property
    def parse_limits(self) -> Limits:
        """What reading one uploaded file may take (`bot.parsing`)."""
        return Limits(seconds=self.parse_seconds, memory_mb=self.parse_memory_mb)


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


class UnitConfig(Strict):
    """A unit that owes reports (所、队、股室、工作组、县区局 …)."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$", description="short code: letters, digits, _ or -")
    name: str = Field(min_length=1)
    name_en: str | None = None
    tags: list[str] = Field(default_factory=list)
    parent: str | None = Field(default=None, description="code of the unit above (units in levels); none: top level")


class ReportType(ReportTiming):
    """A kind of report the units owe: what it is, who owes it, when, and how it is reminded."""

    title: str = Field(min_length=1)
    title_en: str | None = None
    template: TemplateKind
    owed_by: list[str] = Field(default_factory=list, description="unit tags that owe it; empty: every unit")
    min_items: int = Field(default=1, ge=0)
    max_items: int = Field(default=1, ge=1)
    zero_report: bool = Field(default=False, description="零报告 allowed")
    attachment: str | None = Field(default=None, max_length=20, description="the notice's number of its form, e.g. 附件8, shown on exports")
    signoff: bool = Field(default=False, description="counts as filed only once the unit head (单位负责人) approves it")
    form: Form | None = Field(default=None, description="what is filed (bot/forms_config.py); default: the template's shipped form")

    @field_validator("key")
    @classmethod
    def _not_adhoc(cls, value: str, info: ValidationInfo) -> str:
        # bot.services.deadlines.adhoc builds its own report types with the context {"adhoc": True}
        if value.startswith("adhoc_") and not (info.context or {}).get("adhoc"):
            raise ValueError("keys starting with 'adhoc_' are reserved for deadlines added with /deadline")
        if value.startswith("task_") and not (info.context or {}).get("adhoc"):
            raise ValueError("keys starting with 'task_' are reserved for the deadlines of [[tasks]]")
        return value

    @model_validator(mode="after")
    def _items(self) -> ReportType:
        if self.min_items > self.max_items:
            raise ValueError("'min_items' must not exceed 'max_items'")
        if self.form is not None and self.template == TemplateKind.LIAISON:
            raise ValueError("a 'liaison' report is filed by registering: it takes no 'form'")
        return self


class ProblemSettings(Strict):
    """The 问题清单 workflow: severities offered, when an overdue problem is escalated to the level above,
    and when a problem not acknowledged (签收) is chased."""

    severities: list[str] = Field(default_factory=lambda: ["一般", "较大", "重大"], min_length=1)
    escalate_after_days: int = Field(default=3, ge=1, description="days past 整改时限 before the level above is told")
    acknowledge_within: timedelta = Field(default=timedelta(days=1), description="a problem or task not 签收 within this is chased")
    check_every: timedelta = Field(default=timedelta(minutes=5), description="how often overdue problems and 签收 are checked")

    @field_validator("acknowledge_within", "check_every", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value) if isinstance(value, str) else value


class TaskSpec(Strict):
    """A 工作任务 of the 任务分工表: its 细化序号 (key), 工作任务 (group), 目标任务 (title), 具体内容 (content),
    牵头单位 (lead) and 配合单位 (supporting), each a unit code or a tag (every unit with it)."""

    key: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,32}$", description="细化序号: letters, digits, _ . -")
    group: str = ""
    title: str = Field(min_length=1, max_length=300)
    content: str = ""
    lead: list[str] = Field(min_length=1, description="牵头单位: unit codes or tags")
    supporting: list[str] = Field(default_factory=list, description="配合单位: unit codes or tags")
    due: date | None = None
    progress: Schedule | None = Field(default=None, description="recurring progress reports of the lead units, e.g. { kind = \"monthly\", day = 5 }")
    reminders: list[Offset] | None = Field(default=None, description="reminder offsets of its deadlines; default: 3 and 1 days before, on the day, 1 day after")


class UnitCoordinator(Strict):
    """A coordinator of one level (a 市局's 协调员): sees and acts for that unit and the units below it."""

    telegram_user_id: int
    unit: str = Field(min_length=1, description="the code of a configured unit")


class People(Strict):
    """Coordinators and leaders known before anyone registers, by Telegram user id."""

    coordinators: list[int] = Field(default_factory=list)
    leaders: list[int] = Field(default_factory=list)
    unit_coordinators: list[UnitCoordinator] = Field(
        default_factory=list, description="coordinators bound to a unit: they see and act for its subtree only"
    )


class WebSettings(Strict):
    """[web]: the coordinators' dashboard, served by the bot process (bot.web); off unless `port` is set."""

    listen: str = Field(default="127.0.0.1", description="the address the dashboard listens on")
    port: int | None = Field(default=None, ge=1, le=65535, description="the dashboard's port; none: no dashboard")
    public_url: str | None = Field(default=None, description="the address coordinators open (behind a proxy); default http://listen:port")
    session_hours: int = Field(default=8, ge=1, le=72, description="how long a browser session lasts")

    @property
    def base_url(self) -> str:
        """Where login links point."""
        return (self.public_url or f"http://{self.listen}:{self.port}").rstrip("/")


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
    web: WebSettings = WebSettings()
    units: list[UnitConfig] = Field(default_factory=list)
    report_types: list[ReportType] = Field(default_factory=list)
    problems: ProblemSettings = ProblemSettings()
    tasks: list[TaskSpec] = Field(default_factory=list)

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

    def units_owing(self, report: ReportType) -> list[UnitConfig]:
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


_TOKEN_ONLY = f"the bot token never lives in the config file: remove it and set ${TOKEN_ENV}"
_SECRET_ONLY = f"the webhook's secret token never lives in the config file: remove it and set ${WEBHOOK_SECRET_ENV} (or leave it unset for a random one)"


# Secrets someone may try to put in the file: say where they go instead.
_ENVIRONMENT_ONLY: dict[tuple[int | str, ...], str] = {
    **{("telegram", k): _TOKEN_ONLY for k in ("token", "bot_token")},
    **{("telegram", k): _SECRET_ONLY for k in ("secret_token", "webhook_secret", "webhook_secret_token")},
}


def _problems(error: ValidationError, data: dict[str, Any]) -> list[Problem]:
    """Each validation error in the user's terms: key path, value, what is expected, a suggestion."""
    problems = []
    for e in error.errors(include_url=False):
        loc = tuple(e["loc"])
        if e["type"] == "union_tag_invalid":  # name the kind, not the whole schedule
            loc = (*loc, "kind")
        value = HIDDEN if loc in _ENVIRONMENT_ONLY else value_at(loc, data)
        if e["type"] == "extra_forbidden" and loc in _ENVIRONMENT_ONLY:
            msg = _ENVIRONMENT_ONLY[loc]
        else:
            allowed = allowed_keys(Config, loc[:-1], data) if e["type"] == "extra_forbidden" else None
            msg = explain(e, value, allowed)
        problems.append(Problem(key=key_path(loc, data), value=value, expected=msg))
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
    file = config_path(path, dict(env))
    try:
        text = file.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as e:
        where = "" if path or env.get(CONFIG_ENV) else (
            f" (looked for {', '.join(str(p) for p in CONFIG_SEARCH[:2])}; give the path, or set ${CONFIG_ENV})"
        )
        what = {FileNotFoundError: "file not found", IsADirectoryError: "a folder, not a file"}.get(type(e), "not readable by this user")
        raise ConfigError(file, [Problem("", MISSING, what + where)]) from None
    except UnicodeDecodeError as e:
        raise ConfigError(file, [Problem(f"byte {e.start}", MISSING, "not UTF-8 text: save the file as UTF-8")]) from None
    except tomllib.TOMLDecodeError as e:
        where, line, expected = where_and_hint(str(e), text)
        raise ConfigError(file, [Problem(where, line or MISSING, expected)]) from None
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
