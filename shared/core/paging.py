"""One page of any query, and the pager's sums: the ticket lists (`queues.lists`), search and the admin
lists all page through these."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select

from shared.core.extensions import db


class Paged:
    """The pager's sums for a result with `page`, `per_page` and `total`; `pageable` is how many of
    the total can be paged through."""

    page: int
    per_page: int
    total: int

    @property
    def pageable(self) -> int:
        return self.total

    @property
    def pages(self) -> int:
        return max(1, -(-self.pageable // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass
class Page(Paged):
    items: list[Any]
    page: int
    per_page: int
    total: int
    # For a customer's lists: the ids of the tickets with news they have not seen.
    unread: set[int] = field(default_factory=set)


def page_of(query: Select, page: int, per_page: int) -> Page:
    """The rows of one page; a page past the end (an old bookmark, a shrunk list) shows the last one."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    items = rows.all() if len(query.column_descriptions) > 1 else rows.scalars().all()
    return Page(list(items), page, per_page, total)
