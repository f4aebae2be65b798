"""Report obligations read from a notice's clauses: what is owed, by whom, how often, by when.

Rules, in order, each on one clause (a sentence part between ；):
- a run of dated deadlines followed by a reporting verb (于2023年11月5日前、2024年6月5日前报送阶段性工作总结):
  one date → once, several → fixed; 联络员 in the clause → the liaison form;
- a recurrence with a reporting or organising verb (每月2日前报送…; 每季度组织开展风险会商; 每半年向…报送…);
  a recurrence without its day (每季度, 每周) holds the likeliest reading and a TODO;
- a quota (原则上各单位每季度不少于1个; 2025年度在A、B、C领域各组织不少于1场的培训): min_items per period;
- 随时上报 / 重大问题…及时上报: any time.
What is owed is the verb's object, else the nearest known noun before it (统计数据 … 发送到邮箱);
its form is the 附件 the clause points to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.services.drafting.attachments import referenced
from bot.services.drafting.model import Attachment, Dated, ReportDraft, Source, UnitDraft
from bot.services.drafting.phrases import VERBS, Recurrence, deadline_runs, matching_key, recurrences
from bot.services.drafting.text import Clause, quote
from bot.services.drafting.units import subject_tags

# known nouns → (key, template, title when the object names none)
NOUNS: list[tuple[str, str, str, str]] = [
    (r"联络员", "liaison_list", "liaison", "联络员信息表"),
    (r"阶段性?(?:工作)?总结", "stage_summary", "summary", "阶段性工作总结"),
    (r"半年(?:工作)?总结", "half_year_summary", "summary", "半年工作总结"),
    (r"上?年度(?:工作)?总结", "annual_summary", "summary", "年度工作总结"),
    (r"总结", "final_summary", "summary", "工作总结"),
    (r"案例", "typical_case", "case", "典型案例"),
    (r"案件查办统计|案件统计", "case_statistics", "statistics", "案件查办统计数据"),
    (r"统计", "statistics", "statistics", "统计表"),
    (r"风险分析报告", "risk_analysis", "free", "风险分析报告"),
    (r"风险会商", "risk_consultation", "free", "风险会商"),
    (r"监管情况报告", "supervision_report", "free", "监管情况报告"),
    (r"培训", "training", "free", "培训"),
    (r"重大问题|重大\S{0,4}隐患|重大\S{0,6}线索", "major_issue", "free", "重大问题"),
    (r"台账", "ledger", "statistics", "台账"),
    (r"简报", "briefing", "free", "简报"),
    (r"小结", "brief_summary", "summary", "工作小结"),
    (r"评估报告", "assessment", "free", "评估报告"),
    (r"周报(?!送)", "weekly_report", "statistics", "周报表"),
    (r"工作进展|进展情况", "progress_report", "free", "工作进展情况"),
]
_FORM_KINDS = {"case", "summary", "liaison", "statistics"}
_RECIPIENT = re.compile(r"^(?:至|到|给)|邮箱|办公室|协调组|(?:局|厅|委|院|部)$")
_OBJECT = re.compile(rf"(?:组织开展|组织召开|召开|开展|{VERBS})(?P<o>[^,，;；。(（:：]*)")
_ORDINALS = "一二三四五六七八九十"
_PERIOD_WORD = {"weekly": "周报", "monthly": "月报", "quarterly": "季度报告", "half_yearly": "半年报告", "yearly": "年度报告",
                "stage": "阶段报告"}
_KEY_SUFFIX = {"weekly": "weekly", "monthly": "monthly", "quarterly": "quarterly", "half_yearly": "half_yearly",
               "yearly": "yearly", "stage": "stage"}


def noun(text: str) -> tuple[str, str, str] | None:
    """(key, template, default title) of the first known noun in a text."""
    for pattern, key, template, title in NOUNS:
        if re.search(pattern, text):
            return key, template, title
    return None


def _object(text: str) -> str | None:
    """The object of a verb, unless it is a recipient (报送区局办公室, 发送到邮箱)."""
    text = re.sub(r"^(?:向\S{1,16}?(?=报送|上报|报告|提交))", "", text).strip()
    if text.count("“") != text.count("”"):
        text = text.strip("“”")
    if not text or _RECIPIENT.search(text) or len(text) < 2:
        return None
    return text


class Reader:
    """Reads obligations clause by clause, keeping what it found so far (stage dates, monthly days)."""

    def __init__(self, year: int, sections: dict[int, Attachment], units: list[UnitDraft]) -> None:
        self.year = year
        self.sections = sections
        self.units = units
        self.reports: list[ReportDraft] = []

    # ── helpers ───────────────────────────────────────────────────────────────────────────

    def _form(self, clause: Clause, around: int | None = None) -> Attachment | None:
        """The 附件 a clause points to: the reference right after `around` if any, else the only one."""
        refs = referenced(clause.key if around is None else clause.key[around : around + 16])
        for n in refs:
            if n in self.sections and self.sections[n].kind in _FORM_KINDS:
                return self.sections[n]
        return None

    def _new(self, clause: Clause, what: str | None, kind: str, around: str, *, form: Attachment | None = None,
             fallback: tuple[str, str, str] | None = None) -> ReportDraft:
        found = noun(what or "") or (noun(form.title) if form else None) or fallback or (noun(clause.key) if what is None else None)
        key, template, default_title = found if found else ("report", "free", "报告")
        if form is not None:
            template = form.kind
        if re.search(r"通过\S{0,24}系统" + VERBS, clause.key) and template == "statistics" and form is None:
            template = "confirmation"
        title = what or (form.title if form else default_title)
        report = ReportDraft(self._unique(key), title, template, kind, attachment=form)
        q = quote(clause.text, around)
        report.source("key", q)
        report.source("title", q, None if what or form else f"the notice names no title here; {title!r} is a guess")
        report.source("template", q if form is None else quote(f"附件{form.number}：{form.title}"))
        tags = subject_tags(clause.key, self.units)
        if tags and set(tags) != {t for u in self.units for t in u.tags}:  # all of them: every unit, said by no owed_by
            report.owed_by = tags
            report.source("owed_by", q)
        self.reports.append(report)
        return report

    def _unique(self, key: str) -> str:
        taken = {r.key for r in self.reports}
        if key not in taken:
            return key
        n = 2
        while f"{key}_{n}" in taken:
            n += 1
        return f"{key}_{n}"

    def _objects_after(self, clause: Clause, start: int) -> Iterator[tuple[str | None, int]]:
        """(object or None, position after it) of each verb after `start`, up to the next recurrence."""
        for m in _OBJECT.finditer(clause.key, start):
            yield _object(m["o"]), m.end()

    def _noun_before(self, clause: Clause, end: int) -> tuple[str, str, str] | None:
        """The known noun nearest before `end` (统计数据 … 每月5日前发送到邮箱): what is owed when the verb names no object."""
        text = clause.key[:end]
        best: tuple[int, tuple[str, str, str]] | None = None
        for pattern, key, template, title in NOUNS:
            for m in re.finditer(pattern, text):
                if best is None or m.start() > best[0]:
                    best = (m.start(), (key, template, title))
        return best[1] if best else None

    # ── rules ─────────────────────────────────────────────────────────────────────────────

    def read(self, clause: Clause) -> None:
        """Every obligation of one clause."""
        key = matching_key(clause.key)
        clause = Clause(clause.text, key, clause.sentence)
        self._dated(clause)
        self._recurring(clause)
        self._quota(clause)
        self._any_time(clause)

    def _dated(self, clause: Clause) -> None:
        for run in deadline_runs(clause.key, self.year):
            if re.search(r"每(?:年度?|季度?|半年|月)$", clause.key[: run.start]):
                continue  # 每年1月15日前: a recurrence, read by _recurring
            tail = clause.key[run.end :]
            verb = re.match(rf"^(?:分别|前)?[^,，;；。]{{0,16}}?(?:{VERBS}|发至|送至)(?P<o>[^,，;；。(（:：]*)", tail)
            named = re.match(r"^前?[^。；;]{0,12}?(?:确定|明确|指定|选派)[^,，。；;]{0,10}联络员", tail)  # 于…前确定联络员，填写…（附件2）
            if not verb and not named:
                continue
            what = _object(verb["o"]) if verb else None
            liaison = "联络员" in clause.key[: run.end] or bool(named) or (what is not None and "联络员" in what)
            before = self._noun_before(clause, run.start) if what is None and not liaison else None
            form = self._form(clause, run.end)
            liaison_forms = [a for a in self.sections.values() if a.kind == "liaison"]
            if liaison and form is None and len(liaison_forms) == 1:
                form = liaison_forms[0]  # (附件10, never pointed to by the sentence asking for it)
            fallback = ("liaison_list", "liaison", "联络员信息表") if liaison else before
            if liaison and (what is None or "联络员" not in what):
                what = None
            kind = "once" if len(run.days) == 1 else "fixed"
            report = self._new(clause, what, kind, clause.key[run.start : run.start + 8], form=form, fallback=fallback)
            if liaison:
                report.template = "liaison"
                report.key = self._unique("liaison_list") if report.key.startswith("report") else report.key
            staged = kind == "fixed" and "阶段" in (what or "")
            for n, day in enumerate(run.days):
                label = f"第{_ORDINALS[n]}阶段" if staged and n < 10 else (f"{day.year}年{day.month}月{day.day}日" if kind == "fixed" else
                                                                          ("联络员报送" if liaison else report.title[:20]))
                report.dates.append(Dated(day, label, Source(quote(clause.text, f"{day.month}月"))))

    def _recurring(self, clause: Clause) -> None:
        found = [r for r in recurrences(clause.key) if not re.match(r"^(?:不少于|至少|不低于)", clause.key[r.end :])]
        groups: list[list[Recurrence]] = []
        for rec in found:  # 每周、每月和每个工作阶段: one list, one verb
            if groups and not clause.key[groups[-1][-1].end : rec.start].strip("、,，和及与"):
                groups[-1].append(rec)
            else:
                groups.append([rec])
        for g, group in enumerate(groups):
            last = group[-1]
            stop = groups[g + 1][0].start if g + 1 < len(groups) else len(clause.key)
            objects = [(w, at) for w, at in self._objects_after(clause, last.end) if at <= stop]
            if not objects:
                continue
            first = _OBJECT.search(clause.key, last.end)
            assert first is not None
            between = clause.key[last.end : first.start()]
            if len(between) > 30 or between.count(",") > 1 or "。" in between:
                continue  # the verb is too far to belong to the recurrence
            taken = objects[:2] if last.day is not None else objects[:1]
            for rec in group:
                for what, at in taken:
                    self._one_recurring(clause, rec, what, at)

    def _one_recurring(self, clause: Clause, rec: Recurrence, what: str | None, at: int) -> None:
        group = "工作组" in clause.key[: rec.start] and any("工作组" in u.tags for u in self.units)
        fallback = self._noun_before(clause, rec.start) if what is None and not group else None
        if what is None and fallback is None:
            fallback = (f"group_{_KEY_SUFFIX[rec.kind]}" if group else f"{_KEY_SUFFIX[rec.kind]}_report", "free",
                        ("工作组" if group else "") + _PERIOD_WORD[rec.kind])
        form = self._form(clause, at)
        owed = noun(what) if what is not None else fallback
        if form is None and owed is not None:  # a 附件 elsewhere in the clause, of the kind owed (统计数据 … （附件1）)
            form = self._form(clause)
            form = form if form is not None and form.kind == owed[1] else None
        kind = "fixed" if rec.kind == "stage" or rec.last_month_day else rec.kind
        covers = "current_month" if what is not None and re.match(r"^(?:当月|本月)", what) else "previous_month"
        what = re.sub(r"^(?:上月|当月|本月|上周|本周|当周|上季度|本季度)(?:的)?", "", what) if what is not None else None
        report = self._new(clause, what, kind, rec.text[:4], form=form, fallback=fallback)
        if rec.kind == "stage" and form is None:
            report.template = "summary"  # a stage's report is a summary of its work
        if report.template == "statistics" and re.search(r"通过\S{0,24}系统" + VERBS, clause.key[: at]) and form is None:
            report.template = "confirmation"
        q = quote(clause.text, rec.text[:4])
        report.due_time = rec.at
        if rec.at is not None:
            report.source("due_time", q)
        if rec.kind == "weekly":
            report.weekday = rec.weekday or "fri"
            report.source("schedule", q, None if rec.weekday else f"{rec.text}: the notice names no weekday; Friday is assumed")
        elif rec.kind == "monthly":
            report.covers = covers
            other = next((r for r in self.reports if r.kind == "monthly" and r.day is not None and r is not report), None)
            report.day = rec.day or (other.day if other else 31)
            todo = None if rec.day else (
                f"{rec.text}: the notice names no day; the same day as {other.key} ({other.day})" if other
                else f"{rec.text}: the notice names no day; by the month's end is assumed")
            report.source("schedule", q, todo)
        elif rec.kind == "stage":
            stages = next((r for r in self.reports if r.kind == "fixed" and any("阶段" in d.label for d in r.dates)), None)
            if stages is None:
                self.reports.remove(report)
                return
            report.dates = [Dated(d.day, d.label, Source(d.source.quote, f"{rec.text}: the stage dates of {stages.key}"))
                            for d in stages.dates]
            report.source("schedule", q, f"{rec.text}: the notice gives no dates; those of {stages.key} are assumed")
        elif rec.last_month_day is not None:
            report.comments.append(f"{rec.text}: due on day {rec.last_month_day} of each quarter's last month; "
                                   "the config has no such rule, so each quarter's date is listed")
            report.quarter_last_month_day = rec.last_month_day
            report.source("schedule", q)
        elif rec.kind == "yearly" and rec.month is not None and rec.day is not None and (
                re.search(r"本年|当年", what or "") or (rec.month > 6 and not re.search(r"上年|上一年|去年", what or ""))):
            report.kind = "fixed"  # 每年12月20日前报送本年度…: within the year it covers, not the next
            report.each_year = (rec.month, rec.day)
            report.comments.append(f"{rec.text}: due on {rec.month}月{rec.day}日 of the year it covers; each year's date is listed")
            report.source("schedule", q)
        else:
            report.day, report.days_after, report.month = rec.day, rec.days_after, rec.month
            if rec.working_days:
                report.source("schedule", q, f"{rec.text}: working days; the config counts calendar days after the period "
                                             f"({rec.days_after}), so it comes a few days early: lengthen days_after to taste")
            elif rec.day is None and rec.days_after is None:
                report.days_after, report.no_day = 0, True
                report.source("schedule", q, f"{rec.text}: the notice names no due day; by the period's last day is assumed")
            else:
                report.source("schedule", q)

    def _quota(self, clause: Clause) -> None:
        m = re.search(r"每(?P<f>月|季度|季|半年|年度|年)(?:不少于|至少|不低于)(?P<n>\d+)(?:个|篇|件|次|场|份)", clause.key)
        domains = re.search(r"(?:(?P<y>\d{4})年度?|每年度?)[^,，;；。]*?在(?P<list>[^,，;；。]+?)(?:领域|方面)各(?:组织|开展|报送)?"
                            r"(?:不少于|至少)(?P<n>\d+)(?:个|场|次|篇)的?(?P<o>[^,，;；。(（]+)", clause.key)
        if m:
            kinds = {"月": "monthly", "季度": "quarterly", "季": "quarterly", "半年": "half_yearly", "年度": "yearly", "年": "yearly"}
            kind, n = kinds[m["f"]], int(m["n"])
            owed = self._noun_before(clause, m.start())
            after = re.match(r"(?P<o>[^,，;；。(（]{2,20})", clause.key[m.end():])  # 每月不少于1篇安全教育活动简报
            what_after = after["o"].strip() if owed is None and after else None
            existing = next((r for r in self.reports if owed is not None and r.key.startswith(owed[0])), None)
            if existing is not None:
                existing.min_items = n
                existing.source("min_items", quote(clause.text, "不少于"))
                return
            report = self._new(clause, what_after, kind, "不少于", form=self._form(clause), fallback=owed)
            count = 1
        elif domains:
            kind, n = "yearly", int(domains["n"])
            count = len(re.split(r"[、和及与]", domains["list"]))
            report = self._new(clause, domains["o"].strip(), kind, "不少于")
        else:
            return
        q = quote(clause.text, "不少于")
        report.min_items, report.max_items = n * count, 99
        todo = None if domains is None or count == 1 else f"{n} in each of {count} fields ({domains['list']}): {n * count} in all is assumed"
        report.source("min_items", q, todo)
        report.source("max_items", q)
        if kind == "monthly":
            report.day = 31
            report.source("schedule", q, "the notice names no due day: by the month's end is assumed")
        else:  # things to hold within a named year (2025年度…各组织不少于1场): by its last day; else settled later
            report.days_after, report.no_day = 0, not (domains is not None and domains["y"])
            report.source("schedule", q, "the notice names no due day: by the period's last day is assumed")

    def _any_time(self, clause: Clause) -> None:
        m = re.search(r"对(?P<o>[^,，;；。]{2,40}?)随时(?:上报|报送|报告)", clause.key) or \
            re.search(r"(?P<o>[^,，;；。]{0,10}重大问题)[^,，;；。]{0,4}(?:随时|及时)(?:上报|报送|报告)", clause.key)
        if not m or any(r.kind == "any_time" for r in self.reports):
            return
        what = re.sub(r"^(?:工作中)?(?:发现的?)?", "", m["o"]) or m["o"]
        report = self._new(clause, what, "any_time", "随时" if "随时" in clause.key else "及时")
        report.template = "free"
        report.min_items, report.max_items = 0, 99
        q = quote(clause.text, "上报")
        report.source("schedule", q)
        report.source("min_items", q)
        report.source("max_items", q)
