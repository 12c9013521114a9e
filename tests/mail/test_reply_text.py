"""Cutting the quoted history and the sign-off from a reply, in the clients and languages customers use."""

import pytest

from shared.mail_text import reply_text

QUOTE = "> Hello, please restart it.\n> Deskbell"


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        # Gmail and Apple Mail, English
        (
            f"Thanks, that fixed it!\n\nOn Mon, Dec 1, 2025 at 10:00 AM Deskbell <s@d.example> wrote:\n{QUOTE}\n",
            "Thanks, that fixed it!",
        ),
        # Outlook's header block, with a sign-off
        (
            "Still broken.\n\nRegards,\nBob Smith\nACME Ltd\n\n-----Original Message-----\nFrom: Deskbell\n"
            "Sent: Monday, December 1, 2025 10:00 AM\nTo: Bob\nSubject: [#1042] Printer\n\nHello Bob\n",
            "Still broken.",
        ),
        # Outlook's newer header block without the separator line
        (
            "It works.\n\nFrom: Deskbell <s@d.example>\nSent: Monday, December 1, 2025 10:00\nTo: Bob\n"
            "Subject: RE: [#1042] Printer\n\nHello Bob\n",
            "It works.",
        ),
        # German Gmail
        (f"Danke!\n\nAm Mo., 1. Dez. 2025 um 10:00 Uhr schrieb Deskbell <s@d.example>:\n{QUOTE}\n", "Danke!"),
        # Russian: Gmail, Yandex, Thunderbird, mail.ru, Outlook
        (
            f"Спасибо, всё работает.\n\nпн, 1 дек. 2025 г. в 10:00, Deskbell <s@d.example>:\n{QUOTE}\n",
            "Спасибо, всё работает.",
        ),
        (f'Готово.\n\n01.12.2025, 10:00, "Deskbell" <s@d.example>:\n{QUOTE}\n', "Готово."),
        (f"Да.\n\nС уважением,\nИван\n\n01.12.2025 10:00, Deskbell пишет:\n{QUOTE}\n", "Да."),
        (f"Спасибо!\n\nИван Петров написал(а):\n{QUOTE}\n", "Спасибо!"),
        (
            "Не работает.\n\nОт: Deskbell <s@d.example>\nОтправлено: 1 декабря 2025 г. 10:00\nКому: Иван\n"
            "Тема: [#1042] Принтер\n\nЗдравствуйте\n",
            "Не работает.",
        ),
        # A signature after "-- " and a phone's "Sent from"
        ("It works now.\n\n-- \nBob Smith\nCTO, ACME\n", "It works now."),
        (f"Yes please.\n\nSent from my iPhone\n\nOn 1 Dec 2025, at 10:00, Deskbell wrote:\n\n{QUOTE}\n", "Yes please."),
        # Any other language: a trailing quote and the line that introduces it
        (f"Kiitos!\n\nma 1.12.2025 klo 10.00 Deskbell kirjoitti:\n{QUOTE}\n", "Kiitos!"),
    ],
)
def test_the_quoted_history_and_sign_off_are_cut(text, reply):
    assert reply_text(text) == reply


@pytest.mark.parametrize(
    "text",
    [
        "Hello\n\nThanks, I tried it and then it crashed.\nAgain.\n\nMore below.",  # a sentence, not a sign-off
        "Steps:\n- open the tray\n- close it\n\nThat's all.",  # a list, not a signature
        "> Which version?\n2.1\n> Which OS?\nLinux",  # answers between the quoted questions
    ],
)
def test_text_that_only_looks_like_a_sign_off_or_quote_is_kept(text):
    assert reply_text(text) == text


def test_a_reply_that_is_all_quote_keeps_everything():
    text = "On Mon, Dec 1, 2025 at 10:00 Deskbell <s@d.example> wrote:\n> Hi"
    assert reply_text(text) == text
