"""A filing in progress (报送草稿): what the liaison has answered so far, for which obligation, by whom.

It is kept as the data of the person's "submission" draft (`to_data` / `from_data`), so a restart
loses nothing; the person, the language and `now` travel with it while one update is handled and
are never stored. The modules of the flow (steps, answers, preview, choose) pass a `Filing`
between them instead of a dict with string keys.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.forms_config import Form
from bot.services.submissions.forms import Step, steps_of

NONCE = "nonce"  # in a draft's data: which filing its buttons belong to (see `common.stamp`)
_UNSET = -1  # `amend` of a draft saved before amendments were recorded (see `amend_known`)


@dataclass
class Filing:
    """One filing of an obligation's item: answers (`values`), files by field, and where it stands.

    `item_no` is what the item would be numbered now (a new item is numbered when confirmed);
    `amend` the item it is a new version of (None: a new item), from `base_version`.
    `carry`: texts sent before the report was chosen; `pending`: files waiting for the step that
    takes them. `kind` is "zero" for a 零报告, else None (the template's own kind).
    """

    person_id: int
    language: str
    now: datetime
    obligation_id: int
    template: str
    form: Form | None = None  # the report type's form (declared, or its template's shipped one); not stored
    report_key: str = ""
    item_no: int = 1
    amend: int | None = None
    base_version: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    files: dict[str, list[int]] = field(default_factory=dict)
    carry: list[dict[str, Any]] = field(default_factory=list)
    pending: list[dict[str, Any]] = field(default_factory=list)
    edit: bool = False
    offer_zero: bool = False
    kind: str | None = None
    step: str | None = None
    lower_confirmed: bool = False
    nonce: str | None = None
    fill: list[str] | None = None  # a case pasted whole: the steps it did not answer, asked in this order (submissions.pasted)
    previous: dict[str, Any] = field(default_factory=dict)  # statistics: last period's rows, to keep or change a few cells of (submissions.prefill)
    amend_known: bool = True  # False for drafts saved before `amend` was recorded: see `preview._amended`

    # --- the draft -----------------------------------------------------------------------------

    @classmethod
    def from_data(cls, data: dict[str, Any], *, person_id: int, language: str, now: datetime, form: Form | None = None) -> Filing:
        """The filing a draft's data holds (a draft of state "choose" holds none: KeyError)."""
        return cls(
            person_id=person_id,
            language=language,
            now=now,
            obligation_id=int(data["obligation_id"]),
            template=str(data.get("template", "")),
            form=form,
            report_key=str(data.get("report_key", "")),
            item_no=int(data.get("item_no") or 1),
            amend=data.get("amend"),
            base_version=data.get("base_version"),
            values=dict(data.get("values") or {}),
            files={k: list(v) for k, v in (data.get("files") or {}).items()},
            carry=list(data.get("carry") or []),
            pending=list(data.get("pending") or []),
            edit=bool(data.get("edit")),
            offer_zero=bool(data.get("offer_zero")),
            kind=data.get("kind"),
            step=data.get("step"),
            lower_confirmed=bool(data.get("lower_confirmed")),
            nonce=data.get(NONCE),
            fill=list(data["fill"]) if isinstance(data.get("fill"), list) else None,
            previous=dict(data.get("previous") or {}),
            amend_known="amend" in data,
        )

    def to_data(self) -> dict[str, Any]:
        """The draft's data (JSON): what survives a restart."""
        out: dict[str, Any] = {
            "obligation_id": self.obligation_id,
            "template": self.template,
            "report_key": self.report_key,
            "item_no": self.item_no,
            "base_version": self.base_version,
            "values": self.values,
            "files": self.files,
            "carry": self.carry,
            "pending": self.pending,
            "edit": self.edit,
            "offer_zero": self.offer_zero,
        }
        if self.amend_known:
            out["amend"] = self.amend
        if self.kind is not None:
            out["kind"] = self.kind
        if self.step is not None:
            out["step"] = self.step
        if self.lower_confirmed:
            out["lower_confirmed"] = True
        if self.nonce is not None:
            out[NONCE] = self.nonce
        if self.fill is not None:
            out["fill"] = self.fill
        if self.previous:
            out["previous"] = self.previous
        return out

    def ensure_nonce(self) -> str:
        """The mark of this filing's buttons; a new filing gets one of its own."""
        if self.nonce is None:
            self.nonce = secrets.token_urlsafe(6)
        return self.nonce

    # --- what it holds ---------------------------------------------------------------------------

    @property
    def zero(self) -> bool:
        return self.kind == "zero"

    @property
    def shown_kind(self) -> str:
        """What the submission is: "zero", or its template."""
        return self.kind or self.template

    def has_answers(self) -> bool:
        """Anything worth keeping: an answer, a file, or a file waiting for its step."""
        return bool(self.values or any(self.files.values()) or self.pending)

    def attachment_ids(self) -> list[int]:
        return [i for ids in self.files.values() for i in ids]

    def content(self) -> dict[str, Any]:
        """What is stored in the submission."""
        return {"values": self.values, "files": self.files}

    # --- its form ------------------------------------------------------------------------------

    @property
    def steps(self) -> tuple[Step, ...]:
        return steps_of(self.form)

    def step_at(self, key: str) -> Step | None:
        return next((s for s in self.steps if s.key == key), None)

    def following(self, key: str) -> Step | None:
        """The step after `key`, None after the last."""
        keys = [s.key for s in self.steps]
        index = keys.index(key)
        return self.steps[index + 1] if index + 1 < len(keys) else None
