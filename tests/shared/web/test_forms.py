"""The select widget writes plain options itself, faster than wtforms: the markup must not change."""

from flask_wtf import FlaskForm
from wtforms import SelectChoice
from wtforms import SelectField as WtformsSelectField

from shared.web.forms import SelectField, choices

CHOICES = choices([("", "Any"), ("1", "Ann & <Bob>"), (2, 'Say "hi"'), (True, "Yes"), ("x", "")])


def test_the_fast_select_writes_what_wtforms_writes(app):
    class Fast(FlaskForm):
        pick = SelectField("Pick", choices=CHOICES)

    class Plain(FlaskForm):
        pick = WtformsSelectField("Pick", choices=CHOICES)

    with app.test_request_context():
        for chosen in (None, "", "1", "2", "True"):
            fast, plain = Fast(formdata=None, data={"pick": chosen}), Plain(formdata=None, data={"pick": chosen})
            assert fast.pick(class_="field__input", aria_invalid="true") == plain.pick(
                class_="field__input", aria_invalid="true"
            )
        assert 'value="1">Ann &amp; &lt;Bob&gt;</option>' in str(fast.pick())


def test_options_with_their_own_attributes_go_through_wtforms(app):
    class Fast(FlaskForm):
        pick = SelectField("Pick", choices=[SelectChoice("a", "A", render_kw={"disabled": True})])

    with app.test_request_context():
        assert '<option disabled value="a">A</option>' in str(Fast(formdata=None).pick())
