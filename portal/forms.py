"""Portal forms: shape only; the domain decides the rest."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, MultipleFileField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from shared.web.forms import LANGUAGE_CHOICES, SelectField, catalog_choices, choices


class NewTicketForm(FlaskForm):
    type = SelectField(_l("Type"), choices=catalog_choices("types"), default="question")
    department = SelectField(_l("Department"), coerce=int)
    product = SelectField(_l("Product or service"), coerce=int, validators=[Optional()])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Describe what happened"), validators=[DataRequired(), Length(max=100_000)])
    attachments = MultipleFileField(_l("Attachments"))


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Your reply"), validators=[Length(max=100_000)])
    attachments = MultipleFileField(_l("Attachments"))


# --- Accounts: sign-up and the customer's profile --------------------------------------


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)


# --- Rating a closed ticket ------------------------------------------------------------

SCORE_CHOICES = choices(
    [
        (1, _l("Very poor (1 of 5)")),
        (2, _l("Poor (2 of 5)")),
        (3, _l("Okay (3 of 5)")),
        (4, _l("Good (4 of 5)")),
        (5, _l("Excellent (5 of 5)")),
    ]
)


class RatingForm(FlaskForm):
    # The range is the domain's rule (it answers a crafted 9); the form only wants a number.
    score = RadioField(
        _l("Your rating"),
        choices=SCORE_CHOICES,
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(message=_l("Choose from 1 to 5 stars."))],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])
