"""Console forms: shape only; the domain decides the rest."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, RadioField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

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
