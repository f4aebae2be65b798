"""`liaison-bot draft-config NOTICE.txt|.docx -o campaigns/draft.toml`: a campaign config drafted from its notice."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import ConfigError, load_config
from bot.services.drafting import NoticeError, draft_config, read_notice, render


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    p = sub.add_parser(
        "draft-config",
        help="draft a campaign config from its notice (.txt or .docx): every line quotes its sentence, TODOs mark what to decide",
    )
    p.add_argument("notice", type=Path, metavar="NOTICE", help="the campaign notice: a .txt (UTF-8 or GB18030) or a .docx")
    p.add_argument("-o", "--out", required=True, type=Path, metavar="FILE.toml", help="where to write the draft")
    p.add_argument("--force", action="store_true", help="overwrite FILE.toml if it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Read, draft, write, and check that the draft loads."""
    out: Path = args.out
    if out.exists() and not args.force:
        print(f"{out} exists; choose another file or pass --force to overwrite it", file=sys.stderr)
        return 2
    try:
        text = read_notice(args.notice)
    except NoticeError as e:
        print(str(e), file=sys.stderr)
        return 2
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the CLI may read the clock: only a start no notice gives
    draft = draft_config(text, today=today)
    body = render(draft, args.notice.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    todos = sum(1 for line in body.splitlines() if line.lstrip().startswith("# TODO"))
    try:
        config = load_config(out)
    except ConfigError as e:
        print(f"{out}: written, but it does not load ({len(e.problems)} problem(s)):", file=sys.stderr)
        for problem in e.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(
        f"{out}: {config.campaign.name} ({config.campaign.start} to {config.campaign.end}): "
        f"{len(config.report_types)} report types, {len(config.units)} units, {todos} TODO line(s) to review.\n"
        f"Check it with: liaison-bot check-config {out}  and  liaison-bot deadlines --config {out}"
    )
    return 0
