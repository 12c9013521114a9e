"""Console forms: shape only; the domain decides the rest."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from shared.tickets.conversation import AGENT_CHANNELS
from shared.web.forms import LANGUAGE_CHOICES, DayField, IdsField, SelectField, catalog_choices, choices

VISIBILITY_CHOICES = choices([("public", _l("Public reply")), ("internal", _l("Internal note"))])


class ReplyForm(FlaskForm):
    """The ticket page's reply box; the ids are what the console's scripts (static/js/console/) look for."""

    visibility = RadioField(_l("Kind"), choices=VISIBILITY_CHOICES, default="public")
    body = TextAreaField(_l("Message"), id="reply-body", validators=[Length(max=100_000)])
    status = SelectField(_l("Then set status"), id="reply-status", coerce=int, validators=[Optional()])
    attachments = MultipleFileField(_l("Attachments"), id="reply-attachments")
    # The last history entry the agent had on screen: a send refuses if others wrote since.
    seen = HiddenField(id="reply-seen")
    minutes = IntegerField(_l("Time spent (minutes)"), id="reply-minutes", validators=[Optional()])


class TimeReportForm(FlaskForm):
    """The time report's date range: a GET form, so a report has an address to bookmark or share."""

    class Meta:
        csrf = False

    start = DayField(_l("From"), validators=[Optional()])
    end = DayField(_l("To"), validators=[Optional()])


class PropertiesForm(FlaskForm):
    """The side panel. A field left out of a post keeps the ticket's value, so each select can save alone."""

    status = SelectField(_l("Status"), coerce=int)
    assignee = SelectField(_l("Assignee"), coerce=int)
    priority = SelectField(_l("Priority"), choices=catalog_choices("priorities"))
    department = SelectField(_l("Department"), coerce=int)
    product = SelectField(_l("Product"), coerce=int)
    type = SelectField(_l("Type"), choices=catalog_choices("types"))


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

    ticket = IdsField(_l("Tickets"))
    assignee = SelectField(_l("Change assignee to"), default="")
    status = SelectField(_l("Change status to"), default="")
    priority = SelectField(_l("Change priority to"), default="")
    next = HiddenField()


# --- A ticket an agent files: for a customer on the phone, at the desk, in a chat; or a task ----


class NewTicketForm(FlaskForm):
    """The view fills department, product and assignee from the catalog (0 means none)."""

    requester = RadioField(
        _l("Who is it for?"),
        choices=choices([("customer", _l("A customer")), ("internal", _l("Internal task"))]),
        default="customer",
    )
    customer_email = EmailField(_l("Customer's email"), validators=[Length(max=254)])
    customer_name = StringField(_l("Name (optional)"), validators=[Length(max=200)])
    channel = RadioField(
        _l("How they reached us"), choices=catalog_choices("channels", items=AGENT_CHANNELS), default="phone"
    )
    department = SelectField(_l("Department"), coerce=int)
    type = SelectField(_l("Type"), choices=catalog_choices("types"), default="question")
    product = SelectField(_l("Product or service"), coerce=int, validators=[Optional()])
    priority = SelectField(_l("Priority"), choices=catalog_choices("priorities"), default="normal")
    assignee = SelectField(_l("Assign to"), coerce=int, default=0)
    subject = StringField(
        _l("Subject"), validators=[DataRequired(message=_l("Give the ticket a subject.")), Length(max=200)]
    )
    body = TextAreaField(_l("Description"), validators=[Length(max=100_000)])  # or only files: the domain decides
    attachments = MultipleFileField(_l("Attachments"))

    @property
    def for_customer(self) -> bool:
        return self.requester.data != "internal"

    def validate_customer_email(self, field: EmailField) -> None:
        if self.for_customer and not (field.data or "").strip():
            raise ValidationError(_l("Enter the customer's email address, or choose an internal task."))


# --- Canned replies ----------------------------------------------------------------------


class CannedReplyForm(FlaskForm):
    """Adding or changing a canned reply; whether the agent may make it shared is the domain's call."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=20_000)])
    shared = BooleanField(_l("Shared with every agent"))


class SavedViewForm(FlaskForm):
    """Saving the list's current address under a name; the domain checks the name."""

    name = StringField(_l("View name"))
    query = HiddenField()


class DeleteForm(FlaskForm):
    """A delete button: only the CSRF token."""


# --- Links and merges ----------------------------------------------------------------------


class LinkForm(FlaskForm):
    """Link another ticket by number; the domain finds it and decides whether the link can be."""

    number = StringField(_l("Ticket number"), id="link-number", validators=[Length(max=20)])
    relation = SelectField(
        _l("Link as"),
        id="link-relation",
        choices=choices(
            [
                ("related", _l("Related ticket")),
                ("incident", _l("Incident of this problem")),
                ("problem", _l("Problem behind this ticket")),
            ]
        ),
        default="related",
    )


class ProblemForm(FlaskForm):
    """Mark the ticket as a problem ("1") or take the mark off ("")."""

    on = HiddenField()


class MergeForm(FlaskForm):
    """Merge this ticket into another: the first post asks to confirm, the second (confirm="yes") merges."""

    number = StringField(_l("Merge into ticket"), id="merge-number", validators=[Length(max=20)])
    confirm = HiddenField()


# --- Search -------------------------------------------------------------------------------


class SearchForm(FlaskForm):
    """The search page's words and filters: a GET form, so every search has an address."""

    class Meta:
        csrf = False  # it only reads

    q = StringField(_l("Search tickets"), validators=[Length(max=200)])
    status = FilterField(_l("Status"), default="")
    assignee = FilterField(_l("Assignee"), default="")
    department = FilterField(_l("Department"), default="")
    dated = FilterField(_l("Dates are"), default="updated")
    since = DayField(_l("From"), validators=[Optional()])
    until = DayField(_l("To"), validators=[Optional()])


# --- Participants ----------------------------------------------------------------------------


class ParticipantForm(FlaskForm):
    """Someone to add to the conversation, by address; the domain decides whether they may be."""

    email = StringField(_l("Email address"), id="participant-email", validators=[DataRequired(), Length(max=254)])


# --- The agent's own profile -----------------------------------------------------------------


class LanguageForm(FlaskForm):
    """The language of the agent's console and of the mail the desk sends them."""

    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
