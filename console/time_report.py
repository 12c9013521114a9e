"""The time report: minutes logged per agent, customer and organization over a date range, as a
page and as a CSV download."""

from datetime import date

from flask import Response, abort, render_template, request
from flask_login import current_user

from console import bp
from console.forms import TimeReportForm
from shared.access import permissions
from shared.core.clock import utcnow
from shared.core.errors import DomainError
from shared.tickets import time_tracking


def _range(form: TimeReportForm) -> tuple[date, date]:
    """The chosen days, or this month so far when a side is left out or unreadable."""
    today = utcnow().date()
    start = form.start.data if form.start.data and not form.start.errors else today.replace(day=1)
    end = form.end.data if form.end.data and not form.end.errors else today
    return start, end


def _report(form: TimeReportForm) -> time_tracking.TimeReport | None:
    if not permissions.can_view_time_report(current_user):
        abort(403)
    form.validate()
    start, end = _range(form)
    form.start.data, form.end.data = start, end
    try:
        return time_tracking.report(start, end)
    except DomainError as error:
        form.end.errors = [*form.end.errors, error.message]
        return None


@bp.get("/time")
def time_report():
    form = TimeReportForm(request.args)
    report = _report(form)
    return render_template("console/time.html", form=form, report=report), 200 if report else 422


@bp.get("/time.csv")
def time_report_csv():
    form = TimeReportForm(request.args)
    report = _report(form)
    if report is None:
        abort(422)
    name = f"time-{report.start.isoformat()}-{report.end.isoformat()}.csv"  # ASCII: header-safe
    return Response(
        time_tracking.report_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
