"""Admin forms: shape only; names, addresses and the last-admin rule are checked in the domain."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from shared.forms import choices


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
    departments = SelectMultipleField(_l("Departments"), coerce=int, validate_choice=False)


STRATEGY_CHOICES = choices(
    [("manual", _l("Manual")), ("round_robin", _l("Round-robin")), ("least_open", _l("Fewest open tickets"))]
)


class DepartmentAssignmentForm(FlaskForm):
    strategy = RadioField(_l("New tickets go to"), choices=STRATEGY_CHOICES, default="manual")
    agents = SelectMultipleField(_l("Agents who work it"), coerce=int, validate_choice=False)


def optional_choices(items, none_label: str) -> list:
    """Select options for an optional organization or department: 0 stands for none."""
    return choices([(0, none_label)] + [(item.id, item.name) for item in items])
