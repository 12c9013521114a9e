"""Template filters: relative times with the exact time on hover, file sizes."""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from babel.dates import TIMEDELTA_UNITS, get_day_names
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_timedelta as babel_timedelta
from flask import Flask
from flask_babel import format_decimal, get_locale, gettext
from markupsafe import Markup, escape

from shared.access import permissions
from shared.core import i18n
from shared.core.urls import external_url
from shared.models import utcnow
from shared.queues.lists import AtLeast
from shared.records import catalog
from shared.sla.tracking import SOON

# Babel's default: "3 hours ago" from 1.1 hours on, "66 minutes ago" before.
THRESHOLD = 1.1
# Texts such as "3 hours ago" by (locale, future, unit, count): few, and shared by many rows.
_AGO: dict[tuple[str, bool, str, int], str] = {}


def _ago(seconds: float, locale: str) -> str:
    """babel's format_timedelta(seconds, add_direction=True), worked out once per distinct text.

    Its text depends only on the direction, the unit it picks and the rounded count in it (as
    babel picks them below), so a list of fifty rows formats a handful of texts, not fifty."""
    for unit, per_unit in TIMEDELTA_UNITS:
        value = abs(seconds) / per_unit
        if value >= THRESHOLD or unit == "second":
            key = (locale, seconds >= 0, unit, round(max(1, value) if unit == "second" and value > 0 else value))
            text = _AGO.get(key)
            if text is None:
                if len(_AGO) > 10_000:  # years ago and ahead are unbounded in principle
                    _AGO.clear()
                text = _AGO[key] = babel_timedelta(seconds, add_direction=True, threshold=THRESHOLD, locale=locale)
            return text
    return ""


def relative_time(moment: datetime | None) -> Markup:
    if moment is None:
        return Markup("")
    locale = str(get_locale())
    ago = _ago((moment - utcnow()).total_seconds(), locale)
    iso = moment.isoformat(timespec="seconds")
    return Markup(f'<time datetime="{iso}Z" title="{escape(_exact(moment, locale))}">{escape(ago)}</time>')


def due_time(moment: datetime | None) -> Markup:
    """An SLA due time as a chip: "due in 2 hr", amber within the hour, "overdue 3 hr" in red; the
    exact time on hover."""
    if moment is None:
        return Markup("")
    left = moment - utcnow()
    if left.total_seconds() <= 0:
        kind, text = "overdue", gettext("overdue %(time)s", time=duration(-left.total_seconds()))
    else:
        kind = "soon" if left <= SOON else "ok"
        text = gettext("due in %(time)s", time=duration(left.total_seconds()))
    exact = gettext("Due %(time)s", time=_exact(moment, str(get_locale())))
    iso = moment.isoformat(timespec="seconds")
    return Markup(f'<time class="sla sla--{kind}" datetime="{iso}Z" title="{escape(exact)}">{escape(text)}</time>')


@lru_cache(maxsize=8192)
def _exact(moment: datetime, locale: str) -> str:
    """A stored (UTC) moment written out in full in `locale`. A list shows the same rows at every
    refresh, and babel's formatting is a good part of rendering one: each is worked out once."""
    return babel_format_datetime(moment.replace(tzinfo=UTC), "medium", tzinfo=UTC, locale=locale)


def duration(seconds: float) -> str:
    """A span such as 3 hr or 2 days, in the response's language."""
    return babel_timedelta(timedelta(seconds=abs(seconds)), format="short", threshold=1.1, locale=get_locale())


def day_name(weekday: int) -> str:
    """A weekday (0 = Monday) as the response's language abbreviates it."""
    return get_day_names("abbreviated", locale=get_locale())[weekday]


def file_size(size: int) -> str:
    """A size such as 532 B, 12.5 KB or 3.0 MB, in the units and decimal separator of the response's language."""
    if size < 1024:
        return gettext("%(size)s B", size=format_decimal(size, "0"))
    if size < 1024 * 1024:
        return gettext("%(size)s KB", size=format_decimal(size / 1024, "0.0"))
    return gettext("%(size)s MB", size=format_decimal(size / 1024 / 1024, "0.0"))


def count(number: int) -> str:
    """A count in the response's language; one that stopped at its cap (lists.AtLeast) as "1,000+"."""
    if isinstance(number, AtLeast):
        return gettext("%(num)s+", num=format_decimal(number))
    return format_decimal(number)


def init_formatting(app: Flask) -> None:
    app.add_template_filter(relative_time, "reltime")
    app.add_template_filter(file_size, "filesize")
    app.add_template_filter(due_time, "due")
    app.add_template_filter(duration, "duration")
    app.add_template_filter(day_name, "day_name")
    app.add_template_filter(count, "count")
    app.add_template_global(catalog.customer_label)
    app.add_template_global(catalog.priority_label)
    app.add_template_global(catalog.channel_label)
    app.add_template_global(catalog.type_label)
    app.add_template_global(permissions.can_administer)
    app.add_template_global(permissions.attachments_for)
    app.add_template_global(permissions.can_view_ticket)
    app.add_template_global(permissions.can_manage_participants)
    app.add_template_global(permissions.can_edit_canned)
    app.add_template_global(i18n.current_locale)
    app.add_template_global(external_url)
