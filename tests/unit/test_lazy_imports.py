"""The bot's process loads the document libraries when it makes or reads a document, not at its start.

openpyxl (with numpy and Pillow, which it pulls in), python-docx with lxml, and matplotlib cost the
resident bot about 60 MB together (issue 15: RSS of a bot with 10,000 liaisons after a wave < 200 MB);
uploads are read in parse workers and the paperwork is made on a coordinator's request.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("openpyxl", "docx", "lxml", "matplotlib", "numpy", "PIL")


def test_starting_the_bot_loads_no_document_library() -> None:
    probe = (
        "import json, sys\n"
        "import bot.app, bot.cli, bot.cli.run, handlers\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def test_the_document_modules_still_load_their_library_when_used() -> None:
    # (the check above is not vacuous: these names are what those modules import once they work)
    probe = (
        "import json, sys\n"
        "from bot.services.submissions.forms.workbook import blank_workbook\n"
        "from bot.services.coordinator import gbt9704\n"
        "assert blank_workbook(unit='u', period='p')[:2] == b'PK'\n"
        "gbt9704.new_document()\n"
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert {"openpyxl", "docx", "lxml"} <= set(json.loads(out.stdout.strip().splitlines()[-1]))
