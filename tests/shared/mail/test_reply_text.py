"""Cutting the quoted history and the sign-off from a reply, in the clients and languages customers use."""

import pytest

from shared.mail.text import reply_text

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


OUTLOOK_BLOCK = (
    "________________________________\nFrom: ACME <noreply@acme.example>\nSent: Monday, December 7, 2026 9:12 AM\n"
    "To: Bob\nSubject: Your order\n\nYour order shipped."
)


def test_outlooks_header_block_is_a_forward_under_a_forwards_subject_and_a_quote_otherwise():
    text = f"See below.\n\n{OUTLOOK_BLOCK}"
    assert reply_text(text, subject="FW: Your order") == text
    assert reply_text(text, subject="VS: Din ordre") == text
    assert reply_text(text, subject="RE: FW: Your order") == "See below."
    assert reply_text(text) == "See below."


@pytest.mark.parametrize(
    "text",
    [
        # a date on the customer's last line is no wrapped attribution when the next line is one
        f"Please call me at 10:00 tomorrow\nman. 7. des. 2026 kl. 10:00 skrev Deskbell <s@d.example>:\n{QUOTE}",
        # Norwegian "as I wrote:" names no date
        f"Som jeg skrev:\nskriveren er ødelagt\n\nman. 7. des. 2026 kl. 10:00 skrev Deskbell <s@d.example>:\n{QUOTE}",
    ],
)
def test_the_customers_own_lines_stay_above_the_attribution(text):
    assert reply_text(text) == text.split("\nman. 7.")[0].strip()


def test_header_lines_in_the_customers_words_are_not_a_quote():
    text = "The log says\nFrom: printer-01\nTo: queue\nSubject: job 17\nand then it stops."
    assert reply_text(text) == text


def test_a_forward_inside_the_quoted_history_is_cut_with_it():
    text = (
        "Got it.\n\nOn Mon, Dec 7, 2026 at 10:00 AM Deskbell <s@d.example> wrote:\n"
        "> ---------- Forwarded message ---------\n> From: Tech <t@d.example>\n> Fuser replaced."
    )
    assert reply_text(text) == "Got it."


def test_a_sign_off_above_a_forward_is_cut_and_the_forward_kept():
    forward = "Begin forwarded message:\n\n> From: ACME <noreply@acme.example>\n> Subject: Order\n>\n> Shipped."
    assert reply_text(f"See this.\n\nSendt fra min iPhone\n\n{forward}") == f"See this.\n\n{forward}"
    assert reply_text(f"Sent from my iPhone\n\n{forward}") == forward


def test_a_forward_marker_inside_a_quoted_reply_is_quote():
    text = (
        "Thanks\n\n> On 7 Dec 2026, at 10:00, Deskbell <s@d.example> wrote:\n>\n> Begin forwarded message:\n>\n"
        "> From: ACME <noreply@acme.example>"
    )
    assert reply_text(text) == "Thanks"


def test_a_header_block_with_bold_labels_made_plain_is_cut():
    text = (
        "Done.\n\n*From:* Deskbell <s@d.example>\n*Sent:* Monday, December 7, 2026 10:00\n*To:* Bob\n"
        "*Subject:* [#1042] Printer\n\nHello Bob"
    )
    assert reply_text(text) == "Done."


def test_a_dated_line_of_the_customers_is_no_attribution_without_a_quote_below():
    text = "The printer log:\n07.12.2026 10:00, tray 2:\npaper jam\n\nWhat now?"
    assert reply_text(text) == text
    assert reply_text(f"Дякую!\n\n07.12.2026 10:00, Deskbell Support:\n{QUOTE}\n\n-- \nОлена") == "Дякую!"
