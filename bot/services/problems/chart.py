"""/chart 问题: the 问题清单's counts per unit (发现 / 已整改 / 已销号 / 逾期) as a PNG, as of a day.

Scoped like every coordinator view: a coordinator of one level sees their subtree's units only. The
title names the day (截至…), the bars carry their counts, legend and labels are in the viewer's language.
The font comes from `bot.services.coordinator.chart.cjk_font` (NoCJKFont when there is none).
"""

from __future__ import annotations

import io
from datetime import datetime

from bot.context import Services
from bot.services.coordinator.chart import Chart, cjk_font
from bot.services.coordinator.paper import Labels
from bot.services.problems.export import counts

WORDS = frozenset({"问题", "问题清单", "销号", "problems", "problem"})
COLOURS = {"found": "#1565c0", "rectified": "#f9a825", "closed": "#2e7d32", "overdue": "#c62828"}


def render(services: Services, *, now: datetime, language: str, unit_ids: frozenset[int] | None) -> Chart | None:
    """The counts of the units in view that have problems (None: none)."""
    rows = counts(services, unit_ids=unit_ids, now=now)
    if not rows:
        return None
    L = Labels(language)
    campaign = services.config.campaign
    name = campaign.name_en or campaign.name if language == "en" else campaign.name
    title = L("chart.problems-title", campaign=name, as_of=L.as_of(now.astimezone(campaign.tz)))
    legend = {k: L(f"chart.problems-{k}") for k in COLOURS}
    values = {
        "found": [r.found for r in rows], "rectified": [r.rectified for r in rows],
        "closed": [r.closed for r in rows], "overdue": [r.overdue for r in rows],
    }
    names = [r.unit for r in rows]
    font = cjk_font("".join(names) + title + "".join(legend.values()))
    png, texts = _draw(font, title, names, values, legend)
    return Chart(png=png, font=font, units=len(rows), periods=0, texts=texts)


def _draw(font: object, title: str, names: list[str], values: dict[str, list[int]], legend: dict[str, str]) -> tuple[bytes, tuple[str, ...]]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    prop = font_manager.FontProperties(fname=str(font))
    small = font_manager.FontProperties(fname=str(font), size=8)
    height = max(3.6, 1.8 + 0.55 * len(names))
    fig = Figure(figsize=(8.5, height), dpi=110)
    ax = fig.add_subplot()
    width = 0.2
    for index, key in enumerate(COLOURS):
        ys = [y + (index - 1.5) * width for y in range(len(names))]
        bars = ax.barh(ys, values[key], height=width, color=COLOURS[key], label=legend[key])
        ax.bar_label(bars, labels=[str(v) for v in values[key]], padding=2, fontproperties=small)
    ax.set_yticks(range(len(names)), names, fontproperties=prop)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(x=0.12)
    for spine in ("top", "right"):
        ax.spines[spine].set_visible(False)
    top = 1 - 0.85 / height
    fig.suptitle(title, fontproperties=font_manager.FontProperties(fname=str(font), size=13), y=1 - 0.12 / height, va="top", wrap=True)
    fig.legend(prop=prop, loc="upper center", bbox_to_anchor=(0.5, 1 - 0.45 / height), ncols=4, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, top))
    out = io.BytesIO()
    fig.savefig(out, format="png")
    drawn = tuple(t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text() and t.get_visible())
    return out.getvalue(), drawn
