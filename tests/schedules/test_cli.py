"""`liaison-bot deadlines` and `liaison-bot parse-date`, through the real command line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_deadlines_lists_seed_000(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run(capsys, "deadlines", "--tsv")
    assert code == 0
    rows = [line.split("\t") for line in lines]
    assert all(len(r) == 4 for r in rows)
    due = {(r[0], r[2][:10]) for r in rows}
    monthly = [f"{y}-{m:02d}-02" for y, m in [(2023, 9), (2023, 10), (2023, 11), (2023, 12)] + [(2024, m) for m in range(1, 12)]]
    assert sorted(d for k, d in due if k == "typical_case") == monthly
    assert sorted(d for k, d in due if k == "stage_summary") == ["2023-09-15", "2023-11-15", "2024-03-15", "2024-06-15", "2024-09-15"]
    assert [d for k, d in due if k == "final_summary"] == ["2024-11-15"]
    assert rows[0] == ["liaison_list", "联络员报送", "2023-08-10T23:59:59+08:00",
                       "2023-08-09T09:00:00+08:00,2023-08-10T09:00:00+08:00,2023-08-11T09:00:00+08:00"]
    keys = [(r[2], r[0]) for r in rows]
    assert keys == sorted(keys)
    assert not any(r[0] == "major_issue" for r in rows)


def test_deadlines_window_and_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run(capsys, "deadlines", "--report", "typical_case", "--from", "2023-09-01", "--to", "2023-10-31")
    assert code == 0
    assert lines[0] == "report\tperiod\tdue\treminders"
    legend = [line for line in lines if line.startswith("# ")]
    assert any("due: the deadline in Asia/Shanghai" in line for line in legend)
    assert any("quiet hours 22:00-07:30" in line for line in legend)
    # The shipped config reminds on working days only: Saturday 2 September's "on the day" reminder comes
    # on Friday (with the -1d one), Sunday's overdue one on Monday; around National Day (29 Sep - 6 Oct 2023)
    # all the early ones come on Thursday 28 September, the overdue one on Saturday 7 October (调休, a working day).
    assert lines[1:-1 - len(legend)] == [
        "typical_case\t2023年8月\t2023-09-02T23:59:59+08:00\t2023-08-30T09:00:00+08:00,2023-09-01T09:00:00+08:00,"
        "2023-09-04T09:00:00+08:00",
        "typical_case\t2023年9月\t2023-10-02T23:59:59+08:00\t2023-09-28T09:00:00+08:00,2023-10-07T09:00:00+08:00",
    ]


def test_deadlines_unknown_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, err = run(capsys, "deadlines", "--report", "nope")
    assert (code, lines) == (2, [])
    assert "unknown report type 'nope'" in err and "typical_case" in err


def test_deadlines_bad_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[campaign]\nname = "x"\nstart = 2024-01-01\nend = 2023-01-01\n[[report_types]]\nkey = "a"\n', encoding="utf-8")
    code, lines, err = run(capsys, "deadlines", "--config", str(bad))
    assert (code, lines) == (2, [])
    assert "problem(s)" in err and "'end' must not be before 'start'" in err


def test_parse_date_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    code, lines, _ = run(capsys, "parse-date", "--now", "2023-08-16T10:00+08:00", "下周五下午5点", "9月15日前", "2月30日")
    assert code == 0
    assert lines == ["下周五下午5点\t2023-08-25 17:00", "9月15日前\t2023-09-15", "2月30日\t-"]


def test_parse_date_stdin_and_zone(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("明天\ntomorrow 9am\n随便写写\n"))
    code, lines, _ = run(capsys, "parse-date", "--now", "2023-08-16T23:30", "--tz", "Europe/Berlin")
    assert code == 0
    assert lines == ["明天\t2023-08-17", "tomorrow 9am\t2023-08-17 09:00", "随便写写\t-"]


def test_parse_date_bad_zone(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "parse-date", "--now", "2023-08-16T10:00", "--tz", "Mars/Olympus", "明天")
    assert code == 2 and "unknown time zone" in err
