"""Portal forms: shape only; the domain decides the rest."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from shared.forms import choices

TYPE_CHOICES = choices([("question", _l("Question")), ("feature", _l("Feature request")), ("bug", _l("Bug report"))])


class NewTicketForm(FlaskForm):
    type = SelectField(_l("Type"), choices=TYPE_CHOICES, default="question")
    department = SelectField(_l("Department"), coerce=int)
    product = SelectField(_l("Product or service"), coerce=int, validators=[Optional()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Describe what happened"), validators=[DataRequired(), Length(max=100_000)])
    attachments = MultipleFileField(_l("Attachments"))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply"), validators=[Length(max=100_000)])
    attachments = MultipleFileField(_l("Attachments"))
