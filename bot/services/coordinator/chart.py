"""/chart: a PNG of compliance, units by periods (on time / late / missing / not yet due), as of a day.

The title names the report and the day (截至…); legend and period labels are in the viewer's
language; counts are written on the bars (or filed/owed above each column of the grid). With no
report named, the one due next is drawn (`next_due_first`).

Chinese unit names need a CJK font. Nothing is assumed about the machine: the font comes from
the Python package `pylopdf-fonts-zh-cn` (Noto Sans SC, SIL OFL 1.1) when installed, else from
any installed font (e.g. Debian's fonts-noto-cjk) that covers every character to be drawn.
With none, `NoCJKFont` is raised and the bot says so, instead of drawing empty boxes.
Up to `GRID_LIMIT` units the picture is a grid (a row per unit); beyond, stacked bars of counts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from bot.config import ReportType
from bot.context import Services
from bot.services.coordinator.paper import Labels
from bot.services.deadlines.reports import period_label, report_title
from bot.storage import views
from bot.storage.views import Scope

GRID_LIMIT = 40
MAX_PERIODS = 12
COLOURS = {"on_time": "#2e7d32", "late": "#f9a825", "missing": "#c62828", "pending": "#bdbdbd"}
SAMPLE = "报送单位市场监管所队股工作组按时逾期补报未到期"


class NoCJKFont(RuntimeError):
    """No font that can draw Chinese is available."""


@cache
def _charmap(path: Path) -> frozenset[int]:
    """The characters a font file draws (read once per process: a CJK font takes a while)."""
    from matplotlib import ft2font

    return frozenset(ft2font.FT2Font(str(path)).get_charmap())


@cache
def _packaged_font() -> Path | None:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = Path(pylopdf_fonts_zh_cn.sans_path())
    return path if path.exists() else None


@cache
def _system_fonts() -> tuple[Path, ...]:
    from matplotlib import font_manager

    out: list[Path] = []
    for entry in font_manager.fontManager.ttflist:
        path = Path(entry.fname)
        if any(k in entry.name.lower() for k in ("cjk", "sc", "hei", "song", "wenquanyi", "han", "kai", "ming")):
            out.insert(0, path)
        else:
            out.append(path)
    return tuple(dict.fromkeys(out))


def cjk_font(text: str = SAMPLE) -> Path:
    """A font file whose character map covers every character of `text` (and of SAMPLE)."""
    needed = {ord(c) for c in text + SAMPLE if not c.isspace()}
    candidates = [p for p in (_packaged_font(),) if p] + list(_system_fonts())
    for path in candidates:
        try:
            if needed <= _charmap(path):
                return path
        except (OSError, RuntimeError):
            continue
    raise NoCJKFont("no installed font covers Chinese: pip install pylopdf-fonts-zh-cn, or apt-get install fonts-noto-cjk")


@dataclass(frozen=True)
class Chart:
    """The PNG and the font it was drawn with."""

    png: bytes
    font: Path
    units: int
    periods: int
    texts: tuple[str, ...] = ()  # every text drawn (title, legend, labels, counts), as read back from the figure


def _state(status: str, late: bool, due_at: datetime, now: datetime) -> str:
    if status == "done":
        return "late" if late else "on_time"
    return "missing" if due_at < now else "pending"


def next_due_first(services: Services, reports: list[ReportType], *, now: datetime) -> list[ReportType]:
    """The reports ordered by their next deadline after `now` (the one due next first; none left: last)."""
    with services.storage.read() as s:
        items = views.items_of(s, scope=Scope(report_keys=tuple(r.key for r in reports)))
    upcoming: dict[str, datetime] = {}
    for item in items:
        if item.due_at >= now and item.report_key not in upcoming:
            upcoming[item.report_key] = item.due_at
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(reports, key=lambda r: upcoming.get(r.key, far))


def render(services: Services, report: ReportType, *, now: datetime, language: str = "zh-CN", unit_ids: frozenset[int] | None = None) -> Chart | None:
    """The compliance picture of a report type's latest periods due by now (None: no such period yet);
    a coordinator of one level (`unit_ids`) gets their subtree's units only."""
    with services.storage.read() as s:
        items = [i for i in views.items_of(s, scope=Scope(report_keys=(report.key,), due_before=now))][-MAX_PERIODS:]
        if not items:
            return None
        cells = [c for c in views.grid(s, due_item_ids=[i.id for i in items]) if unit_ids is None or c[0] in unit_ids]
        if unit_ids is not None and not cells:
            return None
    units: dict[int, str] = {}
    states: dict[tuple[int, int], str] = {}
    due = {i.id: i.due_at for i in items}
    for unit_id, _code, name, item_id, status, late in cells:
        units.setdefault(unit_id, name)
        states[(unit_id, item_id)] = _state(status, late, due[item_id], now)
    L = Labels(language)
    labels = [period_label(services, report, period_key=i.period_key, stored=i.period_label, language=language) for i in items]
    title = L("chart.title", report=report_title(report, language), as_of=L.as_of(now.astimezone(services.config.campaign.tz)))
    legend = {k: L(f"chart.{k.replace('_', '-')}") for k in COLOURS}
    font = cjk_font("".join(units.values()) + "".join(labels) + title + "".join(legend.values()))
    png, texts = _draw(font, title, labels, [i.id for i in items], units, states, legend=legend, counts_note=L("chart.counts"))
    return Chart(png=png, font=font, units=len(units), periods=len(items), texts=texts)


def _draw(
    font: Path, title: str, labels: list[str], item_ids: list[int], units: dict[int, str], states: dict[tuple[int, int], str], *, legend: dict[str, str], counts_note: str
) -> tuple[bytes, tuple[str, ...]]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    prop = font_manager.FontProperties(fname=str(font))
    small = font_manager.FontProperties(fname=str(font), size=8)
    unit_ids = list(units)
    if len(unit_ids) <= GRID_LIMIT:
        fig = Figure(figsize=(max(7.5, 2.5 + 1.0 * len(labels)), max(3.6, 2.4 + 0.32 * len(unit_ids))), dpi=110)
        ax = fig.add_subplot()
        for y, unit_id in enumerate(unit_ids):
            for x, item_id in enumerate(item_ids):
                state = states.get((unit_id, item_id))
                if state:
                    ax.add_patch(matplotlib.patches.Rectangle((x, y), 0.92, 0.85, color=COLOURS[state]))
        for x, item_id in enumerate(item_ids):  # filed / owed above each column
            owed = sum(1 for u in unit_ids if (u, item_id) in states)
            filed = sum(1 for u in unit_ids if states.get((u, item_id)) in ("on_time", "late"))
            ax.text(x + 0.46, -0.15, f"{filed}/{owed}", ha="center", va="bottom", fontproperties=small)
        ax.set_xlim(0, len(item_ids))
        ax.set_ylim(len(unit_ids), -0.9)
        ax.set_xticks([x + 0.46 for x in range(len(labels))], labels, fontproperties=prop, rotation=45, ha="right")
        ax.set_yticks([y + 0.42 for y in range(len(unit_ids))], [units[u] for u in unit_ids], fontproperties=prop)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
    else:
        fig = Figure(figsize=(max(7.5, 1.5 + 0.9 * len(labels)), 5.2), dpi=110)
        ax = fig.add_subplot()
        bottom = [0] * len(item_ids)
        for state in ("on_time", "late", "missing", "pending"):
            heights = [sum(1 for u in unit_ids if states.get((u, i)) == state) for i in item_ids]
            bars = ax.bar(range(len(item_ids)), heights, bottom=bottom, color=COLOURS[state])
            ax.bar_label(bars, labels=[str(h) if h else "" for h in heights], label_type="center", fontproperties=small)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.set_xticks(range(len(labels)), labels, fontproperties=prop, rotation=45, ha="right")
    width, height = fig.get_size_inches()
    top = 1 - 0.85 / height  # title and legend take the same room whatever the figure's height
    fig.suptitle(title, fontproperties=font_manager.FontProperties(fname=str(font), size=13), y=1 - 0.12 / height, va="top", wrap=True)
    handles = [Patch(color=COLOURS[k], label=legend[k]) for k in COLOURS]
    fig.legend(handles=handles, prop=prop, loc="upper center", bbox_to_anchor=(0.5, 1 - 0.45 / height), ncols=4, frameon=False)
    if len(unit_ids) <= GRID_LIMIT:
        fig.text(0.99, 0.01, counts_note, ha="right", va="bottom", fontproperties=small, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, top))
    out = io.BytesIO()
    fig.savefig(out, format="png")
    drawn = tuple(t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text() and t.get_visible())
    return out.getvalue(), drawn


def glyphs_missing(font: Path, texts: Iterable[str]) -> set[str]:
    """Characters of `texts` the font cannot draw (they would be empty boxes)."""
    cmap = _charmap(font)
    return {c for text in texts for c in text if not c.isspace() and ord(c) not in cmap}
