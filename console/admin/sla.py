"""Admin: SLA targets per priority, business calendars with their holidays, and which calendar each
department counts in. Plain form posts, each answered by a 303 to the page it came from."""

from flask import abort, render_template
from flask_babel import gettext
from flask_wtf import FlaskForm

from console.admin import bp, done
from console.admin.forms import CalendarChoiceForm, CalendarForm, HolidayForm, NameForm, TargetsForm
from shared.core.extensions import db
from shared.models import BusinessCalendar, Department, Holiday
from shared.records import catalog
from shared.sla import calendars
from shared.web.forms import catalog_choices
from shared.web.views import actor, commit_or_show


def _targets_form(**kwargs) -> TargetsForm:
    """The targets as stored; a post (no `formdata` given) overrides them with what was sent."""
    data = {
        t.priority: {
            "first_response": t.first_response,
            "first_response_unit": t.first_response_unit,
            "resolution": t.resolution,
            "resolution_unit": t.resolution_unit,
        }
        for t in calendars.targets()
    }
    return TargetsForm(data=data, **kwargs)


def _calendar_choices(form: CalendarChoiceForm) -> CalendarChoiceForm:
    form.calendar.choices = catalog_choices("calendars")
    return form


def _sla_page(*, targets_form=None, calendar_form=None, department_forms=None, status: int = 200):
    department_forms = department_forms or {}
    rows = []
    for department in catalog.departments():
        form = department_forms.get(department.id) or CalendarChoiceForm(
            formdata=None, calendar=department.calendar_id, prefix=f"d{department.id}"
        )
        rows.append((department, _calendar_choices(form)))
    page = render_template(
        "console/admin/sla.html",
        targets_form=targets_form or _targets_form(formdata=None),
        calendar_form=calendar_form or NameForm(formdata=None),
        calendars=calendars.all_calendars(),
        departments=rows,
    )
    return page, status


@bp.get("/sla")
def sla_settings():
    return _sla_page()


@bp.post("/sla/targets")
def sla_targets_update():
    form = _targets_form()
    if form.validate_on_submit():
        values = {
            name: (row.first_response.data, row.first_response_unit.data, row.resolution.data, row.resolution_unit.data)
            for name, row in ((f.name, f.form) for f in (form.urgent, form.high, form.normal, form.low))
        }
        outcome = commit_or_show(lambda: calendars.update_targets(values, actor=actor()), form=form)
        if outcome.ok:
            return done(gettext("SLA targets saved."), "console.admin.sla_settings")
    return _sla_page(targets_form=form, status=422)


@bp.post("/sla/departments/<int:department_id>")
def department_calendar_update(department_id: int):
    department = db.session.get(Department, department_id) or abort(404)
    form = _calendar_choices(CalendarChoiceForm(prefix=f"d{department.id}"))
    if form.validate_on_submit():
        calendar = db.session.get(BusinessCalendar, form.calendar.data)
        calendars.set_department_calendar(department, calendar, actor=actor())
        db.session.commit()
        return done(
            gettext("%(department)s now counts in %(calendar)s.", department=department.name, calendar=calendar.name),
            "console.admin.sla_settings",
        )
    return _sla_page(department_forms={department.id: form}, status=422)


@bp.post("/calendars")
def calendar_create():
    form = NameForm()
    if form.validate_on_submit():
        outcome = commit_or_show(lambda: calendars.create_calendar(form.name.data, actor=actor()), form=form)
        if outcome.ok:
            calendar = outcome.value
            return done(
                gettext("%(name)s is added: set its hours below.", name=calendar.name),
                "console.admin.calendar_edit",
                calendar_id=calendar.id,
            )
    return _sla_page(calendar_form=form, status=422)


def _calendar_page(calendar: BusinessCalendar, form: CalendarForm, holiday_form: HolidayForm, status: int = 200):
    page = render_template(
        "console/admin/calendar.html",
        calendar=calendar,
        form=form,
        holiday_form=holiday_form,
        timezones=calendars.timezones(),
    )
    return page, status


@bp.route("/calendars/<int:calendar_id>", methods=["GET", "POST"])
def calendar_edit(calendar_id: int):
    calendar = db.session.get(BusinessCalendar, calendar_id) or abort(404)
    form = CalendarForm(obj=calendar)
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: calendars.update_calendar(
                calendar,
                name=form.name.data,
                timezone=form.timezone.data.strip(),
                work_days=form.work_days.data,
                day_start=form.day_start.data,
                day_end=form.day_end.data,
                actor=actor(),
            ),
            form=form,
        )
        if outcome.ok:
            return done(gettext("Changes saved."), "console.admin.calendar_edit", calendar_id=calendar.id)
    return _calendar_page(calendar, form, HolidayForm(formdata=None, prefix="holiday"), 422 if form.errors else 200)


@bp.post("/calendars/<int:calendar_id>/holidays")
def holiday_create(calendar_id: int):
    calendar = db.session.get(BusinessCalendar, calendar_id) or abort(404)
    form = HolidayForm(prefix="holiday")
    if form.validate_on_submit():
        outcome = commit_or_show(
            lambda: calendars.add_holiday(calendar, form.day.data, form.name.data, actor=actor()), form=form
        )
        if outcome.ok:
            holiday = outcome.value
            return done(
                gettext("%(day)s is a holiday now.", day=holiday.day.isoformat()),
                "console.admin.calendar_edit",
                calendar_id=calendar.id,
            )
    return _calendar_page(calendar, CalendarForm(formdata=None, obj=calendar), form, 422)


@bp.post("/calendars/<int:calendar_id>/holidays/<int:holiday_id>/delete")
def holiday_delete(calendar_id: int, holiday_id: int):
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None or holiday.calendar_id != calendar_id:
        abort(404)
    if not FlaskForm().validate_on_submit():  # the token
        abort(400)
    day = holiday.day.isoformat()
    calendars.remove_holiday(holiday, actor=actor())
    db.session.commit()
    return done(
        gettext("%(day)s is a working day again.", day=day), "console.admin.calendar_edit", calendar_id=calendar_id
    )
