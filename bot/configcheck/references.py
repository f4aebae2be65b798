"""What no single field of a config can tell, read from the raw file: codes and keys used twice,
tags no unit has, dates outside the campaign."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.configcheck.problems import Problem, key_path


def cross_references(data: dict[str, Any]) -> list[Problem]:
    """What no single field can tell, read from the raw file (so it is named along with every
    field's mistake): codes and keys used twice, tags no unit has, dates outside the campaign."""
    problems: list[Problem] = []
    units = [u for u in data.get("units") or [] if isinstance(u, dict)]
    seen: set[object] = set()
    for i, unit in enumerate(data.get("units") or []):
        code = unit.get("code") if isinstance(unit, dict) else None
        if code in seen:
            problems.append(Problem(key_path(("units", i, "code"), data), code, "this unit code is used twice; codes must be unique"))
        seen.add(code)
    seen = set()
    for i, report in enumerate(data.get("report_types") or []):
        key = report.get("key") if isinstance(report, dict) else None
        if key in seen:
            problems.append(Problem(key_path(("report_types", i, "key"), data), key, "this report type key is used twice; keys must be unique"))
        seen.add(key)
    tags = {t for u in units for t in (u.get("tags") or []) if isinstance(t, str)}
    for i, report in enumerate(data.get("report_types") or []):
        if not isinstance(report, dict):
            continue
        for j, tag in enumerate(report.get("owed_by") or []):
            if tag not in tags:
                known = "、".join(sorted(tags)) or "none"
                problems.append(Problem(key_path(("report_types", i, "owed_by", j), data), tag, f"no unit has this tag (the units' tags: {known})"))
    problems.extend(_dates_outside(data))
    return problems


def _dates_outside(data: dict[str, Any]) -> list[Problem]:
    """Fixed and one-off due dates outside [campaign.start, campaign.end]: they would silently never be due."""
    raw = data.get("campaign")
    campaign: dict[str, Any] = raw if isinstance(raw, dict) else {}
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
            out.append(Problem(key_path(("report_types", i, "schedule", "date"), data), schedule["date"], expected))
        if schedule.get("kind") == "fixed":
            for j, entry in enumerate(schedule.get("dates") or []):
                day = entry.get("date") if isinstance(entry, dict) else None
                if isinstance(day, date) and not start <= day <= end:
                    out.append(Problem(key_path(("report_types", i, "schedule", "dates", j, "date"), data), day, expected))
    return out
