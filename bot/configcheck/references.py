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
    problems.extend(_levels(data, units))
    problems.extend(_dates_outside(data))
    problems.extend(_task_units(data, units))
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


def _task_units(data: dict[str, Any], units: list[dict[str, Any]]) -> list[Problem]:
    """Tasks' 牵头/配合 entries that are neither a unit code nor a tag; task keys used twice."""
    out: list[Problem] = []
    codes = {u.get("code") for u in units}
    tags = {t for u in units for t in (u.get("tags") or []) if isinstance(t, str)}
    seen: set[object] = set()
    for i, task in enumerate(data.get("tasks") or []):
        if not isinstance(task, dict):
            continue
        if task.get("key") in seen:
            out.append(Problem(key_path(("tasks", i, "key"), data), task.get("key"), "this task key (细化序号) is used twice; keys must be unique"))
        seen.add(task.get("key"))
        for field_name in ("lead", "supporting"):
            for j, entry in enumerate(task.get(field_name) or []):
                if entry not in codes and entry not in tags:
                    out.append(Problem(key_path(("tasks", i, field_name, j), data), entry, "neither a unit code nor a unit tag"))
    return out


def _levels(data: dict[str, Any], units: list[dict[str, Any]]) -> list[Problem]:
    """Parents that are no configured unit, or that loop; unit coordinators bound to no configured unit."""
    out: list[Problem] = []
    parents = {u.get("code"): u.get("parent") for u in units}
    codes = "、".join(str(c) for c in parents) or "none"
    for i, unit in enumerate(data.get("units") or []):
        parent = unit.get("parent") if isinstance(unit, dict) else None
        if parent is None:
            continue
        if parent not in parents:
            out.append(Problem(key_path(("units", i, "parent"), data), parent, f"no configured unit has this code (the codes: {codes})"))
            continue
        seen, node = {unit.get("code")}, parent
        while node is not None and node not in seen:
            seen.add(node)
            node = parents.get(node)
        if node is not None:
            out.append(Problem(key_path(("units", i, "parent"), data), parent, "the parents loop back to this unit; a unit cannot be below itself"))
    people: dict[str, Any] = data["people"] if isinstance(data.get("people"), dict) else {}
    for i, entry in enumerate(people.get("unit_coordinators") or []):
        code = entry.get("unit") if isinstance(entry, dict) else None
        if isinstance(code, str) and code not in parents:
            out.append(Problem(f"people.unit_coordinators[{i}].unit", code, f"no configured unit has this code (the codes: {codes})"))
    return out
