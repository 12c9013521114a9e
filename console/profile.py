"""The agent's own settings: their language, their password and the sessions they are logged in with."""

from flask import flash, redirect, render_template, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user

from console import bp
from console.forms import LanguageForm
from shared.core.i18n import current_locale
from shared.people import accounts
from shared.web import account_views, request_limits
from shared.web.forms import ResetForm
from shared.web.views import actor, commit_or_show


def _language_form(**kwargs) -> LanguageForm:
    return LanguageForm(locale=current_user.locale or current_locale(), **kwargs)


def _page(password_form: ResetForm, language_form: LanguageForm | None = None) -> tuple[str, int]:
    if language_form is None:
        language_form = _language_form(formdata=None)
    status = 422 if password_form.errors or language_form.errors else 200
    context = account_views.sessions_context("console")
    page = render_template("console/profile.html", password_form=password_form, language_form=language_form, **context)
    return page, status


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    form = _language_form()
    if (
        form.validate_on_submit()
        and commit_or_show(lambda: accounts.set_language(actor(), form.locale.data), form=form).ok
    ):
        with force_locale(current_user.locale):  # thanked in the language just chosen
            flash(gettext("Your language is saved."), "success")
        return redirect(url_for("console.profile"), 303)
    return _page(account_views.password_form(formdata=None), form)


@bp.post("/profile/password")
@request_limits.limited("login", lambda: current_user.email)
def password_change():
    return account_views.password_change("console", _page)
