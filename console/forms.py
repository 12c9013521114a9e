"""Console forms: shape only; the domain decides the rest."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from shared.catalog import PRIORITY_LABELS
from shared.forms import choices
from shared.models import PRIORITIES

VISIBILITY_CHOICES = choices([("public", _l("Public reply")), ("internal", _l("Internal note"))])


class ReplyForm(FlaskForm):
    visibility = RadioField(_l("Kind"), choices=VISIBILITY_CHOICES, default="public")
    body = TextAreaField(_l("Message"), validators=[Length(max=100_000)])
    status = SelectField(_l("Then set status"), coerce=int, validators=[Optional()])
    attachments = MultipleFileField(_l("Attachments"))


class PropertiesForm(FlaskForm):
    status = SelectField(_l("Status"), coerce=int)
    assignee = SelectField(_l("Assignee"), coerce=int)
    priority = SelectField(_l("Priority"), choices=choices((p, PRIORITY_LABELS[p]) for p in PRIORITIES))


# --- The queue list: filters (a GET form) and bulk changes -------------------------------


class FilterField(SelectField):
    """A filter's select: a value it does not offer (an old bookmark, a typo) switches the filter off
    and says so beside it, instead of failing the page."""

    def pre_validate(self, form) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            asked, self.data = self.data, self.default
            message = gettext("“%(value)s” is not one of the choices, so this filter is off.", value=asked)
            raise ValidationError(message) from None


class QueueFilterForm(FlaskForm):
    """What narrows and orders a queue; the view fills the choices from the catalog."""

    class Meta:
        csrf = False  # it only reads

    department = FilterField(_l("Department"), default="")
    product = FilterField(_l("Product"), default="")
    priority = FilterField(_l("Priority"), default="")
    type = FilterField(_l("Type"), default="")
    assignee = FilterField(_l("Assignee"), default="")
    sort = FilterField(_l("Sort by"), default="updated")
    order = FilterField(_l("Order"), default="desc")


class BulkForm(FlaskForm):
    """The bulk bar: the selected rows and at most one change of each kind ("" leaves it alone)."""

    ticket = SelectMultipleField(_l("Tickets"), coerce=int, choices=[], validate_choice=False)
    assignee = SelectField(_l("Change assignee to"), default="")
    status = SelectField(_l("Change status to"), default="")
    priority = SelectField(_l("Change priority to"), default="")
    next = HiddenField()
