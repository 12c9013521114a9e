"""Template filters: relative times with the exact time on hover, file sizes."""

from datetime import UTC, datetime

from flask import Flask
from flask_babel import format_datetime, format_timedelta
from markupsafe import Markup

from shared import catalog, i18n, permissions
from shared.models import utcnow


def relative_time(moment: datetime | None) -> Markup:
    if moment is None:
        return Markup("")
    exact = format_datetime(moment.replace(tzinfo=UTC), "medium")
    ago = format_timedelta(moment - utcnow(), add_direction=True, threshold=1.1)
    return Markup('<time datetime="{iso}Z" title="{exact}">{ago}</time>').format(
        iso=moment.isoformat(timespec="seconds"), exact=exact, ago=ago
    )


def file_size(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


def init_formatting(app: Flask) -> None:
    app.add_template_filter(relative_time, "reltime")
    app.add_template_filter(file_size, "filesize")
    app.add_template_global(catalog.customer_label)
    app.add_template_global(permissions.can_administer)
    app.add_template_global(i18n.current_locale)
