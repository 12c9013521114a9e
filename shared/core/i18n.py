"""Which language a request is answered in: the account's setting, else the browser's."""

from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user


def select_locale() -> str | None:
    if not has_request_context():
        return None  # the command line and the worker: the default, unless force_locale says otherwise
    languages = current_app.config["LANGUAGES"]
    chosen = getattr(current_user, "locale", None)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages)


def current_locale() -> str:
    """The language of this response, as a plain code such as "en" or "ru"."""
    locale = get_locale()
    return locale.language if locale is not None else "en"
