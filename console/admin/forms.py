"""Admin forms: shape only; names, addresses and the last-admin rule are checked in the domain."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from shared.web.forms import DayField, IdsField, SelectField, choices


class InviteAgentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    is_admin = BooleanField(_l("Admin"))


class SwitchForm(FlaskForm):
    """An on/off setting. The wanted state travels with the request, so a repeat changes nothing;
    `back` says which page (the list or the record's own) a plain form post returns to."""

    state = HiddenField(validators=[AnyOf(["on", "off"])])
    back = HiddenField(validators=[Optional(), AnyOf(["list", "show"])])

    @property
    def on(self) -> bool:
        return self.state.data == "on"


class CustomerForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Length(max=200)])
    organization = SelectField(_l("Organization"), coerce=int)


class NewCustomerForm(CustomerForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    invite = BooleanField(_l("Email them a link to set a password"), default=True)


class NameForm(FlaskForm):
    """Adding or renaming an organization or a department."""

    name = StringField(
        lazy_pgettext("organization, department or product", "Name"), validators=[DataRequired(), Length(max=200)]
    )


class ProductForm(NameForm):
    department = SelectField(_l("Department"), coerce=int)


class MemberForm(FlaskForm):
    email = EmailField(_l("Customer's email"), validators=[DataRequired(), Length(max=254)])


class AgentAssignmentForm(FlaskForm):
    """An agent's part in automatic assignment; the cap's number is read in the domain, so a bad
    one gets the domain's message beside the field."""

    away = BooleanField(_l("Away"))
    cap = StringField(_l("Open-ticket cap"), validators=[Length(max=20)])
    departments = IdsField(_l("Departments"))


STRATEGY_CHOICES = choices(
    [("manual", _l("Manual")), ("round_robin", _l("Round-robin")), ("least_open", _l("Fewest open tickets"))]
)


class DepartmentAssignmentForm(FlaskForm):
    strategy = RadioField(_l("New tickets go to"), choices=STRATEGY_CHOICES, default="manual")
    agents = IdsField(_l("Agents who work it"))


# --- SLA: calendars, holidays, department calendars and targets -------------------------------

WEEKDAYS = [
    (0, _l("Monday")),
    (1, _l("Tuesday")),
    (2, _l("Wednesday")),
    (3, _l("Thursday")),
    (4, _l("Friday")),
    (5, _l("Saturday")),
    (6, _l("Sunday")),
]


class CalendarForm(FlaskForm):
    """A calendar's settings; the time zone and the hours' order are checked in the domain."""

    name = StringField(lazy_pgettext("business calendar", "Name"), validators=[DataRequired(), Length(max=100)])
    timezone = StringField(_l("Time zone"), validators=[DataRequired(), Length(max=64)])
    work_days = SelectMultipleField(_l("Working days"), coerce=int, choices=choices(WEEKDAYS))
    day_start = TimeField(_l("Opens at"), validators=[InputRequired()])
    day_end = TimeField(_l("Closes at"), validators=[InputRequired()])


class HolidayForm(FlaskForm):
    day = DayField(_l("Date"), validators=[InputRequired()])
    name = StringField(_l("What it is"), validators=[Optional(), Length(max=100)])


class CalendarChoiceForm(FlaskForm):
    """Which calendar one department counts its SLA in."""

    calendar = SelectField(_l("Business calendar"), coerce=int)


class TargetRow(Form):
    """One priority's targets: an amount and its unit for each."""

    first_response = IntegerField(_l("First response"), validators=[InputRequired(), NumberRange(1, 999)])
    first_response_unit = SelectField(_l("Unit"), choices=choices([("hours", _l("hours")), ("days", _l("days"))]))
    resolution = IntegerField(_l("Resolution"), validators=[InputRequired(), NumberRange(1, 999)])
    resolution_unit = SelectField(_l("Unit"), choices=choices([("hours", _l("hours")), ("days", _l("days"))]))


class TargetsForm(FlaskForm):
    urgent = FormField(TargetRow)
    high = FormField(TargetRow)
    normal = FormField(TargetRow)
    low = FormField(TargetRow)
