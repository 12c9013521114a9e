"""Template filters: relative times with the exact time on hover, file sizes."""

from datetime import UTC, datetime

from flask import Flask
from flask_babel import format_datetime, format_decimal, format_timedelta, gettext
from markupsafe import Markup

from shared import catalog, i18n, permissions
from shared.models import utcnow
from shared.urls import external_url


def relative_time(moment: datetime | None) -> Markup:
    if moment is None:
        return Markup("")
    exact = format_datetime(moment.replace(tzinfo=UTC), "medium")
    ago = format_timedelta(moment - utcnow(), add_direction=True, threshold=1.1)
    return Markup('<time datetime="{iso}Z" title="{exact}">{ago}</time>').format(
        iso=moment.isoformat(timespec="seconds"), exact=exact, ago=ago
    )


def file_size(size: int) -> str:
    """A size such as 532 B, 12.5 KB or 3.0 MB, in the units and decimal separator of the response's language."""
    if size < 1024:
        return gettext("%(size)s B", size=format_decimal(size, "0"))
    if size < 1024 * 1024:
        return gettext("%(size)s KB", size=format_decimal(size / 1024, "0.0"))
    return gettext("%(size)s MB", size=format_decimal(size / 1024 / 1024, "0.0"))


def init_formatting(app: Flask) -> None:
    app.add_template_filter(relative_time, "reltime")
    app.add_template_filter(file_size, "filesize")
    app.add_template_global(catalog.customer_label)
    app.add_template_global(catalog.priority_label)
    app.add_template_global(catalog.channel_label)
    app.add_template_global(catalog.type_label)
    app.add_template_global(permissions.can_administer)
    app.add_template_global(permissions.can_edit_canned)
    app.add_template_global(i18n.current_locale)
    app.add_template_global(external_url)
