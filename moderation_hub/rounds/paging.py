"""A long list shown a page at a time, with the page numbers the GOV.UK pagination component links to."""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Paging:
    page: int  # from 1
    pages: int
    total: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def numbers(self) -> list[int | None]:
        """The first, last, current and neighbouring pages; None where pages are left out between them."""
        shown = sorted({n for n in (1, self.page - 1, self.page, self.page + 1, self.pages) if 1 <= n <= self.pages})
        numbers: list[int | None] = []
        for number in shown:
            if numbers and number - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(number)
        return numbers


def paging(total: int, per_page: int, page: int) -> Paging | None:
    """Page ``page`` of ``total`` items, or None when there is no such page. An empty list has one empty page."""
    pages = max(1, math.ceil(total / per_page))
    return Paging(page, pages, total, per_page) if 1 <= page <= pages else None
