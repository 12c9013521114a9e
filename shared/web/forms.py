"""Forms both areas use: logging in and resetting a password, the select they all render and its
choices from the catalog. They check shape only."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import wtforms
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import EmailField, PasswordField, SelectChoice, widgets
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from shared.core import bounds
from shared.core.errors import DomainError
from shared.core.i18n import current_locale
from shared.models import CHANNELS, PRIORITIES, TYPES
from shared.people import organizations
from shared.records import catalog
from shared.records.catalog import CHANNEL_LABELS, PRIORITY_LABELS, TYPE_LABELS
from shared.sla import calendars


class Select(widgets.Select):
    """wtforms' select with its plain options written directly: a queue or ticket page renders a few
    hundred options, and building each through html_params is a good part of rendering the page.
    The markup is the same to the character (tests/shared/web/test_forms.py)."""

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs) -> Markup:
        if choice.render_kw or kwargs:
            return super().render_option(choice, **kwargs)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        selected = "selected " if choice.selected else ""
        return Markup(f'<option {selected}value="{escape(value)}">{escape(choice.label or choice.value)}</option>')


class SelectField(wtforms.SelectField):
    widget = Select()


class DayField(wtforms.DateField):
    """A date in the years a desk means (shared/core/bounds.py): 9999-12-31 is refused beside the field
    like an unreadable date, instead of overflowing when a day is added to it."""

    def pre_validate(self, form) -> None:
        if self.data is not None and not bounds.is_day(self.data):
            self.data = None
            raise ValidationError(
                gettext(
                    "Enter a date from %(first)s to %(last)s.",
                    first=bounds.FIRST_DAY.isoformat(),
                    last=bounds.LAST_DAY.isoformat(),
                )
            )


class IdsField(wtforms.SelectMultipleField):
    """Records picked by id (checkboxes whose choices the view does not list): whole numbers an id
    column can hold, or the form is refused."""

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        super().__init__(label, validators, coerce=int, choices=[], validate_choice=False, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        ids = [bounds.whole(value) for value in valuelist]
        self.data = [i for i in ids if i is not None]
        if len(self.data) < len(ids):
            raise ValueError(gettext("Choose from the list."))


def choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


@dataclass(frozen=True)
class _Listing:
    """How a select lists one kind of thing: what it offers unless told otherwise, each one's label,
    and (for records that can be retired) how a retired one the form keeps is labelled."""

    offered: Callable[[], Iterable]
    label: Callable[[Any], str]
    retired: str = ""


_RETIRED = _l("%(name)s (retired)")
_LISTINGS = {
    "departments": _Listing(catalog.departments, lambda d: d.name, _RETIRED),
    "products": _Listing(catalog.products, lambda p: p.name, _RETIRED),
    "agents": _Listing(catalog.active_agents, lambda a: a.display_name, _l("%(name)s (deactivated)")),
    "statuses": _Listing(catalog.statuses, lambda s: s.label(current_locale())),
    "organizations": _Listing(organizations.everyone, lambda o: o.name),
    "calendars": _Listing(lambda: [c for c, _ in calendars.all_calendars()], lambda c: c.name),
    # Keys, each its own value, labelled in the language of the page that renders them.
    "priorities": _Listing(lambda: PRIORITIES, PRIORITY_LABELS.__getitem__),
    "types": _Listing(lambda: TYPES, TYPE_LABELS.__getitem__),
    "channels": _Listing(lambda: CHANNELS, CHANNEL_LABELS.__getitem__),
}


def catalog_choices(
    kind: str,
    *first: tuple[Any, str],
    items: Iterable | None = None,
    value: str = "id",
    label: Callable[[Any], str] | None = None,
    keep: Any = None,
) -> list[SelectChoice]:
    """A select's options for one of the catalog's lists (a key of _LISTINGS), after the `first`
    (value, label) pairs, such as (0, "— None —") or ("", "All departments").

    - `items`: what to offer instead of the list's own (the active records, every key);
    - `value`: a record's "id" (for a coerce=int field), its id as "text" (a filter's field, whose
      "" means any), or its "key" (a status's); a key list's values are its keys;
    - `label`: another label for some of them (the agent's own "Me (…)");
    - `keep`: the form's current record, offered first, marked retired, once it is no longer
      active, so that saving another field never drops it.
    """
    listing = _LISTINGS[kind]
    label = label or listing.label
    offered = listing.offered() if items is None else items
    pairs = [(_value(item, value), label(item)) for item in offered]
    if keep is not None and not keep.is_active:
        pairs.insert(0, (_value(keep, value), str(listing.retired) % {"name": label(keep)}))
    return choices([*first, *pairs])


def _value(item, how: str):
    if isinstance(item, str):
        return item
    if how == "key":
        return item.key
    return str(item.id) if how == "text" else item.id


# Each language in its own name, so a reader finds theirs whatever the page's language.
LANGUAGE_CHOICES = choices([("en", "English"), ("ru", "Русский")])


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=1000)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class PasswordChangeForm(ResetForm):
    """For accounts that have a password; those without one get the plain ResetForm."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=1000)])


class SignupConfirmForm(FlaskForm):
    """The last step of a sign-up: the password chosen then, beside the mailed link."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])


def show_error(form, error: DomainError, renamed: dict[str, str] | None = None) -> None:
    """Show a domain refusal next to the field it names (through `renamed` where the form calls that
    field otherwise), or above the form when it names none the form has."""
    name = (renamed or {}).get(error.field, error.field) if error.field else None
    field = getattr(form, name, None) if name else None
    (field.errors if field is not None else form.form_errors).append(error.message)
