"""Registration and /me as conversations: what the person sees at each step, as `Reply` data.

The state lives in drafts (`registration`: flows "registration" and "profile"); these functions
take the typed text or the pressed button's arguments, move the state on through
`registration`, and say what to show: the next question, the summary with its buttons, the
reason something cannot be taken. A press answered by a new message takes the buttons off the
pressed one (`drop_buttons`); a stale press is an alert. Confirming also says whom to tell
(`Notice`: the liaison replaced, the coordinators), sent by the handler through `notify`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.models import Person
from bot.context import Services
from bot.replies import Btn, Reply, drop_buttons
from bot.services import notify
from bot.services.people import registration
from bot.services.people.registration import Step
from bot.services.people.validation import FIELDS
from bot.texts.catalog import Markup, t

EDIT = "reg:e"  # a field's button on the summary: (version, field index)
CONFIRM = "reg:ok"  # the summary's confirm button: (version,)
ME_EDIT = "me:e"  # a field's button under /me: (field index,)


@dataclass(frozen=True)
class Notice:
    """A message the bot starts to someone else (not a reply), in their language."""

    person: Person
    text: str


@dataclass
class Confirmed:
    """What confirming the summary shows the person, and whom to tell."""

    replies: list[Reply]
    notices: list[Notice] = field(default_factory=list)


def _kebab(name: str) -> str:
    return name.replace("_", "-")


def _stale(language: str) -> list[Reply]:
    return [Reply("", alert=t(language, "error.stale-button"))]


def question(language: str, field_name: str) -> Reply:
    """The question asking for a 附件10 field."""
    return Reply(t(language, f"registration.ask.{_kebab(field_name)}"))


def field_lines(language: str, values: dict[str, str | None]) -> Markup:
    """One escaped 'label: value' line per field."""
    empty = t(language, "me.empty")
    return Markup(
        "\n".join(
            t(language, "registration.summary-line", label=t(language, f"registration.field.{_kebab(f)}"), value=values.get(f) or empty)
            for f in FIELDS
        )
    )


def edit_buttons(language: str, action: str, *prefix: str | int) -> list[list[Btn]]:
    """A button per field, two a row, carrying `prefix` then the field's index."""
    buttons = [
        Btn(t(language, "registration.edit-button", label=t(language, f"registration.field.{_kebab(f)}")), action, (*prefix, i))
        for i, f in enumerate(FIELDS)
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def step_reply(language: str, step: Step) -> Reply:
    """The next question, or the summary with a button per field and the confirm button."""
    if step.field is not None:
        return question(language, step.field)
    text = t(
        language, "registration.summary", unit=step.unit_name or t(language, "registration.no-unit"),
        role=t(language, f"role.{step.role.value}"), fields=field_lines(language, dict(step.answers)),
    )
    rows = edit_buttons(language, EDIT, step.version)
    rows.append([Btn(t(language, "registration.confirm-button"), CONFIRM, (step.version,))])
    return Reply(text, rows)


def open_link(
    services: Services, *, token: str, telegram_user_id: int, chat_id: int | None, first_name: str | None, username: str | None,
    language: str, now: datetime,
) -> list[Reply]:
    """/start <token>: use the invite and greet with the first question (or resume); a bad link gets the reason."""
    opened = registration.open_invite(
        services, token=token, telegram_user_id=telegram_user_id, chat_id=chat_id, first_name=first_name, username=username, now=now,
    )
    if opened.step is None:
        reason = t(language, f"invite-reason.{opened.status.value}")
        return [Reply(t(language, "start.invite-invalid", reason=reason))]
    step = opened.step
    role = t(language, f"role.{step.role.value}")
    if opened.resumed:
        intro = t(language, "registration.resumed")
    elif step.unit_name:
        intro = t(language, "registration.started", unit=step.unit_name, role=role)
    else:
        intro = t(language, "registration.started-campaign", role=role)
    return [Reply(intro), step_reply(language, step)]


def answer(services: Services, *, person_id: int, text: str | None, language: str, now: datetime) -> list[Reply]:
    """An answer to the current question: checked, then the next question; or what is expected and the step again."""
    if not text:
        return [Reply(t(language, "registration.text-only"))]
    step, error = registration.answer(services, person_id=person_id, text=text, now=now)
    if step is None:
        return []
    replies = [Reply(t(language, error))] if error is not None else []
    return [*replies, step_reply(language, step)]  # on the summary: shown again so its buttons are at hand


def edit(services: Services, *, person_id: int | None, args: tuple[str, ...], language: str, now: datetime) -> list[Reply]:
    """A field's button on the summary: ask that field again."""
    if person_id is None:
        return _stale(language)
    try:
        version, index = int(args[0]), int(args[1])
        step = registration.edit(services, person_id=person_id, version=version, field_name=FIELDS[index], now=now)
    except (ValueError, IndexError):
        step = None
    if step is None:
        return _stale(language)
    return [drop_buttons(), step_reply(language, step)]


def confirm(services: Services, *, person_id: int | None, args: tuple[str, ...], language: str, now: datetime) -> Confirmed:
    """Confirm the summary: registered (and whom to tell), or refused with the reason."""
    if person_id is None:
        return Confirmed(_stale(language))
    try:
        done = registration.confirm(services, person_id=person_id, version=int(args[0]), now=now)
    except (ValueError, IndexError):
        done = None
    if done is None:
        return Confirmed(_stale(language))
    if isinstance(done, registration.Refused):
        expires = done.expires_at.astimezone(services.config.campaign.tz).strftime("%Y-%m-%d %H:%M") if done.expires_at else ""
        text = t(language, f"registration.refused.{done.reason}", unit=done.unit_name or "", expires=expires)
        return Confirmed([drop_buttons(), Reply(text)])
    key = "registration.done" if done.unit_name else "registration.done-campaign"
    replies = [drop_buttons(), Reply(t(language, key, unit=done.unit_name or "", role=t(language, f"role.{done.role.value}")))]
    return Confirmed(replies, _notices(services, done))


def _notices(services: Services, done: registration.Registered) -> list[Notice]:
    """The liaisons replaced are told; the coordinators get the new record (and whom it replaced)."""
    person = done.person
    notices = []
    for old in done.replaced:
        lang = services.language_of(old.language)
        notices.append(Notice(old, t(lang, "registration.replaced", unit=done.unit_name or "", name=person.name or "")))
    for coordinator in notify.coordinators(services):
        if coordinator.id == person.id:
            continue
        lang = services.language_of(coordinator.language)
        text = t(
            lang, "registration.coordinator-notice", name=person.name or "", unit=done.unit_name or t(lang, "registration.no-unit"),
            role=t(lang, f"role.{done.role.value}"), department=person.department or "", title=person.title or "",
            office_phone=person.office_phone or "", mobile=person.mobile or "", email=person.email or "",
        )
        if done.replaced:
            text += "\n" + t(lang, "registration.coordinator-replaced", old="、".join(p.name or p.first_name or "?" for p in done.replaced))
        notices.append(Notice(coordinator, text))
    return notices


# --- /me ---------------------------------------------------------------------------------------


def record(services: Services, *, telegram_user_id: int, language: str) -> list[Reply]:
    """/me: one's own record with a button per field."""
    found = registration.record_of(services, telegram_user_id=telegram_user_id)
    if found is None:
        return [Reply(t(language, "error.not-allowed"))]
    lines = [
        t(language, "me.role-line", role=t(language, f"role.{r.value}"), unit=u) if u else t(language, "me.role-only", role=t(language, f"role.{r.value}"))
        for r, u in found.roles
    ] or [t(language, "me.no-roles")]
    values = {f: getattr(found.person, f) for f in FIELDS}
    text = t(language, "me.title", roles=Markup("\n".join(lines)), fields=field_lines(language, values))
    return [Reply(text, edit_buttons(language, ME_EDIT))]


def me_edit(services: Services, *, person_id: int, args: tuple[str, ...], language: str, now: datetime) -> list[Reply]:
    """A field's button under /me: ask for the new value."""
    try:
        field_name = FIELDS[int(args[0])]
    except (ValueError, IndexError):
        return _stale(language)
    registration.begin_profile_edit(services, person_id=person_id, field_name=field_name, now=now)
    return [question(language, field_name)]


def me_answer(services: Services, *, person_id: int, telegram_user_id: int, text: str | None, language: str, now: datetime) -> list[Reply]:
    """The new value of a field edited under /me: checked, saved, the record shown again; or what is expected."""
    if not text:
        return [Reply(t(language, "registration.text-only"))]
    field_name, error = registration.save_profile_edit(services, person_id=person_id, text=text, now=now)
    if error is not None:
        return [Reply(t(language, error)), *([question(language, field_name)] if field_name else [])]
    return [Reply(t(language, "me.saved")), *record(services, telegram_user_id=telegram_user_id, language=language)]
