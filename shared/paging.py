"""One page of any query, for the admin lists (the ticket lists page theirs in `listing`)."""

from sqlalchemy import Select, func, select

from shared.extensions import db
from shared.listing import Page


def page_of(query: Select, page: int, per_page: int) -> Page:
    """The rows of one page; a page past the end (an old bookmark, a shrunk list) shows the last one."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = min(max(1, page), max(1, -(-total // per_page)))
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    items = rows.all() if len(query.column_descriptions) > 1 else rows.scalars().all()
    return Page(list(items), page, per_page, total)
