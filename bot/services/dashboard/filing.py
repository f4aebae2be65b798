"""A filing on the dashboard: the preview as the coordinator sees it in chat, its versions and files;
accept it, or return it with a comment, through `bot.services.submissions.review`, and tell the
unit's liaisons in chat through `bot.services.notify` (the one rate-limited send path)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.context import Services
from bot.models import Attachment, Person, Submission
from bot.services import notify
from bot.services.dashboard.login import Viewer
from bot.services.submissions import files, review
from bot.replies import split
from bot.storage import attachments as attachment_rows
from bot.storage import dashboard, submissions, units
from bot.texts.catalog import t


@dataclass(frozen=True)
class FilingPage:
    """What the filing page shows."""

    submission: Submission
    unit_name: str
    preview: str  # Telegram HTML, built from escaped parts by the review service
    attachments: list[Attachment]
    versions: list[Submission]
    can_review: bool


def page(services: Services, viewer: Viewer, *, submission_id: int) -> FilingPage | None:
    """The filing page, or None if there is no such filing or the viewer may not see its unit."""
    with services.storage.read() as s:
        submission = submissions.get_submission(s, submission_id=submission_id)
        if submission is None or not viewer.sees(submission.unit_id):
            return None
        unit = units.get_unit(s, unit_id=submission.unit_id)
        attachments = attachment_rows.attachments_of(s, submission_id=submission_id)
        versions = dashboard.item_versions(s, obligation_id=submission.obligation_id, item_no=submission.item_no)
    replies = review.open_one(services, viewer.roles, submission_id=submission_id, language=viewer.language)
    preview = replies[0].text if replies else ""
    return FilingPage(
        submission, unit.name if unit else "", preview, attachments, versions,
        can_review=submission.status.value == "submitted",
    )


def attachment(services: Services, viewer: Viewer, *, attachment_id: int) -> tuple[Attachment, bytes] | None:
    """A file to download, if it belongs to a filing of a unit the viewer sees."""
    with services.storage.read() as s:
        found = attachment_rows.attachments_by_ids(s, attachment_ids=[attachment_id])
        if not found or found[0].submission_id is None:
            return None
        submission = submissions.get_submission(s, submission_id=found[0].submission_id)
    if submission is None or not viewer.sees(submission.unit_id):
        return None
    return found[0], files.read(services, found[0])


async def _tell(services: Services, bot: Bot, notice: review.Notice) -> bool:
    """One notice to one liaison, its buttons signed for them; True if it arrived."""
    language = notice.language
    text = t(language, notice.key, **notice.params)
    pack = services.buttons.pack
    user_id = notice.person.telegram_user_id
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(t(language, k), callback_data=pack(user_id, a, *args))] for k, a, args in notice.buttons]) if notice.buttons else None
    chunks = split(text)
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        if await notify.send_to_person(services, bot, notice.person, chunk, reply_markup=markup if last else None) is None:
            return False
    return True


async def _finish(services: Services, bot: Bot, viewer: Viewer, replies: list[review.Reply], done: review.Done | None) -> str:
    """Tell the liaisons, then say (as Telegram HTML) what happened and who heard of it."""
    if done is None:
        return "\n".join(r.text for r in replies)
    reached: list[Person] = []
    unreached: list[Person] = []
    for notice in done.notices:
        (reached if await _tell(services, bot, notice) else unreached).append(notice.person)
    return review.outcome(viewer.language, done, reached=reached, unreached=unreached).text


async def accept(services: Services, bot: Bot, viewer: Viewer, *, submission_id: int) -> str | None:
    """Accept a filing; what to show the coordinator (None: not theirs to see)."""
    if page(services, viewer, submission_id=submission_id) is None:
        return None
    replies, done = review.accept(services, viewer.roles, submission_id=submission_id, now=services.clock.now(), language=viewer.language)
    return await _finish(services, bot, viewer, replies, done)


async def return_it(services: Services, bot: Bot, viewer: Viewer, *, submission_id: int, comment: str) -> str | None:
    """Return a filing with a comment (退回修改); an empty comment is refused with the reason."""
    if page(services, viewer, submission_id=submission_id) is None:
        return None
    if not comment.strip():
        return t(viewer.language, "web.filing.comment-needed")
    replies, done = review.return_with(
        services, viewer.roles, submission_id=submission_id, comment=comment[:2000], now=services.clock.now(), language=viewer.language
    )
    return await _finish(services, bot, viewer, replies, done)
