"""Labels and times are worked out once per language and kept: the kept ones must still follow the
language of each response."""

import random
from datetime import timedelta

import pytest
from babel.dates import format_timedelta
from flask_babel import force_locale

from shared.models import utcnow
from shared.records import catalog
from shared.web import formatting
from shared.web.formatting import due_time, relative_time


def test_labels_follow_the_language_of_each_response(app):
    with app.test_request_context():
        assert catalog.priority_label("high") == "High"
        with force_locale("ru"):
            assert catalog.priority_label("high") == "Высокий"
            assert catalog.type_label("bug") != "Bug report"
        assert catalog.priority_label("high") == "High"
        assert catalog.type_label("bug") == "Bug report"
        assert catalog.priority_label("made-up") == "made-up"


def test_times_follow_the_language_and_escape_nothing_twice(app):
    moment = (utcnow() - timedelta(hours=3)).replace(microsecond=0)
    with app.test_request_context():
        english = str(relative_time(moment))
        with force_locale("ru"):
            russian = str(relative_time(moment))
            due_ru = str(due_time(moment + timedelta(hours=5)))
        due_en = str(due_time(moment + timedelta(hours=5)))
    assert "3 hours ago" in english and f'datetime="{moment.isoformat()}Z"' in english
    assert "3 часа назад" in russian and "ago" not in russian
    assert 'title="Due ' in due_en and "due in 2 hr" in due_en and "sla--ok" in due_en
    assert "hr" not in due_ru and "sla--ok" in due_ru
    assert str(relative_time(None)) == ""


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_relative_times_read_as_babel_writes_them_though_each_text_is_worked_out_once(locale):
    spans = [0, 0.4, 0.5, 0.6, 1, 1.5, 59.4, 59.5, 65, 66, 67, 3599, 3960, 3961, 95_000, 31_536_000 * 2.6]
    rng = random.Random(7)
    spans += [rng.uniform(-4e8, 4e8) for _ in range(3000)] + [rng.uniform(-9000, 9000) for _ in range(3000)]
    for seconds in spans + [-s for s in spans]:
        expected = format_timedelta(seconds, add_direction=True, threshold=formatting.THRESHOLD, locale=locale)
        assert formatting._ago(seconds, locale) == expected, seconds
