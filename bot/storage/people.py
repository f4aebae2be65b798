"""People: everyone who has talked to the bot, their 附件10 profile, language and reachability."""

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import Session, col, select

from bot.models import PROFILE_FIELDS, Person, PersonProfile
from bot.storage.sql import insert_ignoring_conflicts

LANGUAGES = ("zh-CN", "en")


def get_person(session: Session, *, person_id: int) -> Person | None:
    """The person with this id."""
    return session.get(Person, person_id)


def get_person_by_telegram_id(session: Session, *, telegram_user_id: int) -> Person | None:
    """The person with this Telegram user id."""
    return session.exec(select(Person).where(Person.telegram_user_id == telegram_user_id)).first()


def get_or_create_person(
    session: Session,
    *,
    telegram_user_id: int,
    now: datetime,
    chat_id: int | None = None,
    first_name: str | None = None,
    username: str | None = None,
) -> Person:
    """The person for a Telegram user, created on first contact; Telegram's data is refreshed.

    Safe against two updates from the same new user arriving at once.
    """
    insert_ignoring_conflicts(
        session,
        Person,
        {
            "telegram_user_id": telegram_user_id,
            "chat_id": chat_id,
            "first_name": first_name,
            "username": username,
            "reachable": True,
            "created_at": now,
            "updated_at": now,
        },
    )
    person = get_person_by_telegram_id(session, telegram_user_id=telegram_user_id)
    assert person is not None
    session.refresh(person)  # the row may predate this session's identity map
    changed = False
    for attribute, value in (("chat_id", chat_id), ("first_name", first_name), ("username", username)):
        if value is not None and getattr(person, attribute) != value:
            setattr(person, attribute, value)
            changed = True
    if changed:
        person.updated_at = now
        session.flush()
    return person


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise LookupError(f"no person with id {person_id}")
    return person


def set_language(
    session: Session,
    *,
    language: str | None,
    now: datetime,
    person_id: int | None = None,
    telegram_user_id: int | None = None,
) -> Person:
    """Set the interface language: 'zh-CN', 'en', or None to follow Telegram.

    Give `person_id`, or `telegram_user_id` (a stranger may choose a language before
    registering: their Person row is created then).
    """
    if language is not None and language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; expected one of {LANGUAGES} or None")
    if (person_id is None) == (telegram_user_id is None):
        raise TypeError("give exactly one of person_id and telegram_user_id")
    if person_id is not None:
        person = _person(session, person_id)
    else:
        assert telegram_user_id is not None
        person = get_or_create_person(session, telegram_user_id=telegram_user_id, now=now)
    person.language = language
    person.updated_at = now
    session.flush()
    return person


def chosen_language(session: Session, *, telegram_user_id: int) -> str | None:
    """The language a Telegram user chose, or None (unknown user, or follow Telegram)."""
    statement = select(Person.language).where(Person.telegram_user_id == telegram_user_id)
    return session.exec(statement).first()


def set_profile(
    session: Session,
    *,
    person_id: int,
    profile: PersonProfile | Mapping[str, str | None],
    now: datetime,
) -> Person:
    """Set 附件10 fields; only the fields given (set on a PersonProfile, or keys of a mapping)."""
    if isinstance(profile, PersonProfile):
        values = {name: getattr(profile, name) for name in profile.model_fields_set}
    else:
        values = dict(profile)
    unknown = sorted(set(values) - set(PROFILE_FIELDS))
    if unknown:
        raise ValueError(f"unknown profile fields: {', '.join(unknown)}")
    person = _person(session, person_id)
    for name, value in values.items():
        setattr(person, name, value)
    person.updated_at = now
    session.flush()
    return person


def mark_unreachable(session: Session, *, person_id: int, now: datetime) -> bool:
    """Record that the person blocked the bot (403); True if they were reachable until now."""
    person = _person(session, person_id)
    if not person.reachable:
        return False
    person.reachable = False
    person.unreachable_since = now
    person.updated_at = now
    session.flush()
    return True


def mark_reachable(session: Session, *, person_id: int, now: datetime) -> bool:
    """Record that the person can be messaged again; True if they were unreachable."""
    person = _person(session, person_id)
    if person.reachable:
        return False
    person.reachable = True
    person.unreachable_since = None
    person.updated_at = now
    session.flush()
    return True


def unreachable_people(session: Session) -> list[Person]:
    """Everyone currently marked unreachable, longest first."""
    statement = (
        select(Person).where(col(Person.reachable).is_(False)).order_by(col(Person.unreachable_since))
    )
    return list(session.exec(statement))
