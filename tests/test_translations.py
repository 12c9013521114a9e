"""The Russian catalog is complete, well-formed and compiled, and the app speaks it.

After changing user-facing text: `make translations`, translate the new entries in
translations/ru/LC_MESSAGES/messages.po, then `make translations` again to compile.
"""

import io
import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask_babel import force_locale, ngettext

from shared.core.config import PROJECT_ROOT
from shared.web.formatting import file_size

CATALOG_DIR = PROJECT_ROOT / "translations" / "ru" / "LC_MESSAGES"
# The same keywords as the Makefile's `translations` target.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_pgettext": ((1, "c"), 2)}
# %(name)s, %(num)d, %(size).1f ...: the name and the conversion must survive translation.
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa])")


def read_catalog():
    with open(CATALOG_DIR / "messages.po", "rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def catalog():
    return read_catalog()


def extracted_messages() -> dict[tuple[str, str | None], str | tuple[str, ...]]:
    """What `pybabel extract` finds in the source now, keyed by (msgid, context)."""
    with open(PROJECT_ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(
        PROJECT_ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found[(msgid, context)] = (message, filename)
    return found


def hashable(value):
    """Plural ids and strings are tuples from a .po file but lists from a .mo file."""
    return tuple(value) if isinstance(value, tuple | list) else value


def translations(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple | list) else [message.string]


def placeholders(text: str) -> set[tuple[str, str]]:
    return set(PLACEHOLDER.findall(text))


# --- the catalog --------------------------------------------------------------------------------


def test_extraction_reads_the_python_code_and_the_templates():
    """Guard against the completeness check passing because it reads nothing."""
    files = {filename for _message, filename in extracted_messages().values()}
    for expected in ("portal/forms.py", "shared/tickets/", "templates/portal/login.html", "templates/email"):
        assert any(f.startswith(expected) for f in files), expected
    assert not any(f.startswith(("tests/", "migrations/", ".venv/")) for f in files)


def test_every_message_in_the_source_is_in_the_russian_catalog(catalog):
    missing = []
    for (msgid, context), (message, filename) in extracted_messages().items():
        entry = catalog.get(msgid, context)
        if entry is None or (isinstance(message, tuple) and tuple(entry.id) != tuple(message)):
            missing.append(f"{filename}: {message!r}")
    assert missing == [], "Run `make translations` and translate the new entries:\n" + "\n".join(missing)


def test_the_catalog_has_russian_plural_forms(catalog):
    assert catalog.locale.language == "ru"
    assert catalog.num_plurals == 3
    assert "n%10==1 && n%100!=11" in catalog.plural_forms


def test_no_entry_is_fuzzy_or_untranslated(catalog):
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"
    bad = [m.id for m in catalog if m.id and (m.fuzzy or not all(s.strip() for s in translations(m)))]
    assert bad == []
    for message in catalog:
        if message.pluralizable:
            assert len(translations(message)) == catalog.num_plurals, message.id


def test_placeholders_survive_translation(catalog):
    problems = [f"{message.id!r}: {error}" for message, errors in catalog.check() for error in errors]
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        # Every plural form needs the number: Russian uses the "one" form for 21, 31, ... too.
        expected = set().union(*(placeholders(i) for i in ids))
        for text in translations(message):
            if placeholders(text) != expected:
                problems.append(f"{message.id!r}: {sorted(placeholders(text))} != {sorted(expected)}")
            # Templates %-format every message, so a lone % would break the page.
            if "%" in PLACEHOLDER.sub("", text).replace("%%", ""):
                problems.append(f"{message.id!r}: a stray % in {text!r}")
    assert problems == []


def test_the_compiled_catalog_matches_the_po_file(catalog):
    """The app loads the .mo; it must say what the .po says (`make translations` compiles it)."""
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    expected = read_mo(compiled)
    with open(CATALOG_DIR / "messages.mo", "rb") as f:
        in_repo = read_mo(f)

    def messages(cat):
        return {(hashable(m.id), m.context): hashable(m.string) for m in cat if m.id}

    assert messages(in_repo) == messages(expected)
    assert in_repo.plural_forms == catalog.plural_forms


# --- the app in Russian -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "1 обращение"), (3, "3 обращения"), (5, "5 обращений"), (11, "11 обращений"), (21, "21 обращение")],
)
def test_russian_plurals_use_three_forms(app, count, text):
    with force_locale("ru"):
        assert ngettext("%(num)d ticket", "%(num)d tickets", count) == text


def test_file_sizes_use_the_languages_units_and_separator(app):
    with force_locale("ru"):
        assert file_size(1536) == "1,5 КБ"
    with force_locale("en"):
        assert file_size(1536) == "1.5 KB"


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("ru", "Вход в личный кабинет поддержки", "Log in to your support account"),
        ("en", "Log in to your support account", "Вход в личный кабинет поддержки"),
        ("ru-RU,ru;q=0.9,en;q=0.5", "Забыли пароль?", "Forgot your password?"),
    ],
)
def test_the_login_page_follows_the_browsers_language(client, language, shown, not_shown):
    response = client.get("/portal/login", headers={"Accept-Language": language})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert shown in page and not_shown not in page
    assert f'<html lang="{language[:2]}">' in page


@pytest.fixture
def russian_customer(customer, db):
    customer.locale = "ru"
    db.session.commit()
    return customer


def test_a_russian_customer_sees_the_portal_in_russian_whatever_the_browser_says(client, russian_customer, login_as):
    login_as(russian_customer)
    page = client.get("/portal/tickets", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Мои обращения" in page and "Обращений пока нет" in page
    assert "My tickets" not in page
    form = client.get("/portal/tickets/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Новое обращение" in form and "До 10 файлов, не более 20 МБ каждый." in form


def test_form_errors_reach_a_russian_customer_in_russian(client, russian_customer, login_as):
    login_as(russian_customer)
    response = client.post(
        "/portal/tickets/new",
        data={"type": "bug", "department": 1, "product": 0, "subject": "", "body": "Тело"},
        headers={"Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    # WTForms' own messages come from its Russian catalog, through Flask-WTF.
    assert "Обязательное поле." in page and "This field is required." not in page


def test_a_russian_customer_gets_russian_mail_and_messages(client, russian_customer, login_as, outbox):
    login_as(russian_customer)
    data = {"type": "bug", "department": 1, "product": 0, "subject": "Не работает экспорт", "body": "Ошибка 500."}
    response = client.post("/portal/tickets/new", data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Обращение #1001 создано. Мы отправили Вам подтверждение." in page
    [mail] = outbox()
    assert mail.subject == "[#1001] Мы получили Ваше обращение: Не работает экспорт"
    assert mail.body_text.startswith("Здравствуйте, Alice Archer!")
    assert "Спасибо, что обратились к нам." in mail.body_text
    assert "http://desk.test/portal/tickets/1001" in mail.body_text
    assert "Следить за обращением" in mail.body_html
    assert "Hello" not in mail.body_text + mail.body_html


def test_an_english_customer_gets_english_mail_from_a_russian_browser(client, customer, login_as, outbox, db):
    customer.locale = "en"
    db.session.commit()
    login_as(customer)
    data = {"type": "bug", "department": 1, "product": 0, "subject": "Export fails", "body": "Error 500."}
    response = client.post("/portal/tickets/new", data=data, headers={"Accept-Language": "ru"})
    assert response.status_code == 303
    [mail] = outbox()
    assert mail.subject == "[#1001] We received your request: Export fails"
    assert mail.body_text.startswith("Hello Alice Archer,")
