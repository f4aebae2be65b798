"""Long lists of buttons, paged: one page of rows and a row ◀ 2/4 ▶ under them.

    rows, nav = paging.page(all_rows, number, action="subp")      # nav: [] when it all fits
    Reply(text, rows + nav)

The arrows' buttons carry `(*args, page number)` with the given action; the middle one shows where
the user is and opens the same page again. Used by /submit's choices, /review, /due, /invite,
/liaisons, /outstanding and /status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.replies import Btn

PAGE_SIZE = 8  # rows of buttons per page: a phone shows them without scrolling


@dataclass(frozen=True)
class Paged:
    """One page of rows, which page it is, and how many there are."""

    rows: list[list[Btn]]
    number: int  # 0-based
    pages: int
    nav: list[list[Btn]]


def clamp(number: int, count: int, size: int = PAGE_SIZE) -> tuple[int, int]:
    """(page number within the pages there are, how many pages) for `count` rows."""
    pages = max(1, -(-count // size))
    return min(max(number, 0), pages - 1), pages


def nav(
    number: int, pages: int, *, action: str, args: tuple[str | int, ...] = (), args_of: Callable[[int], tuple[str | int, ...]] | None = None
) -> list[list[Btn]]:
    """The row ◀ n/N ▶ (nothing when there is one page). A button's arguments are `(*args, page)`,
    or `args_of(page)` for callback data laid out otherwise (the page first: /outstanding)."""
    if pages <= 1:
        return []
    made = args_of or (lambda n: (*args, n))
    row: list[Btn] = []
    if number > 0:
        row.append(Btn("◀", action, made(number - 1)))
    row.append(Btn(f"{number + 1}/{pages}", action, made(number)))
    if number < pages - 1:
        row.append(Btn("▶", action, made(number + 1)))
    return [row]


def page(rows: list[list[Btn]], number: int, *, action: str, args: tuple[str | int, ...] = (), size: int = PAGE_SIZE) -> Paged:
    """Page `number` (0-based, clamped to the pages there are) of `rows`, with its ◀ n/N ▶ row."""
    number, pages = clamp(number, len(rows), size)
    return Paged(rows[number * size : (number + 1) * size], number, pages, nav(number, pages, action=action, args=args))
