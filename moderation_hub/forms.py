"""The base of every form, and the fields that need more than WTForms gives.

Every posted form derives from ``PostForm``: each of its text fields checks ``text_rules`` on its own, so a new form
or field cannot forget the check. A textarea is prose, a ``LinesField`` a list of one-line items, and every other
text field is one line.
"""

import datetime
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovDateInput
from wtforms import DateField, Field, PasswordField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length, ValidationError
from wtforms.widgets import HiddenInput

from moderation_hub.text_rules import TextKind, normalise_line_ends, text_problem


def _normalise_line_ends(value: str | None) -> str | None:
    return normalise_line_ends(value) if value else value


class _SafeText:
    """Refuses what ``text_rules`` refuses, naming the field by its label."""

    def __init__(self, kind: TextKind) -> None:
        self.kind = kind

    def __call__(self, _form: FlaskForm, field: Field) -> None:
        problem = text_problem(field.data or "", self.kind)
        if problem:
            raise ValidationError(f"{field.label.text} {problem}")


class PostForm(FlaskForm):
    """A posted form: a CSRF token, and text fields that refuse control and invisible characters.

    ``obj`` and ``data`` show what is stored on a page that is not posted; a post holds only what was posted.
    Otherwise a field left out of a post keeps the stored value, so a required field could be missing and the
    post still pass. Keyword values stay on a post: they are what a page answering another form's post shows.
    """

    def process(
        self,
        formdata: Any = None,
        obj: Any = None,
        data: dict[str, Any] | None = None,
        extra_filters: Any = None,
        **kwargs: Any,
    ) -> None:
        formdata = self.meta.wrap_formdata(self, formdata)  # the request's form when posted, else None
        if formdata is not None:
            obj = data = None
        super().process(formdata, obj, data, extra_filters, **kwargs)

    class Meta(FlaskForm.Meta):
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
            field = super().bind_field(form, unbound_field, options)
            # Passwords are only hashed, never stored or shown; refusing characters there could lock a person out.
            if isinstance(field, StringField) and not isinstance(field, PasswordField):
                kind = _kind_of(field)
                if kind is not TextKind.LINE:
                    field.filters = (*field.filters, _normalise_line_ends)
                field.validators = [*field.validators, _SafeText(kind)]
            return field


class YesNoField(StringField):
    """A button's hidden "yes" or "no" (its page sets which): anything else is refused by name, never read as no."""

    widget = HiddenInput()

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, validators=[AnyOf(("yes", "no"), f"{label} must be yes or no")], **kwargs)

    @property
    def chosen(self) -> bool:
        return self.data == "yes"


def first_problem(form: FlaskForm) -> str:
    """What a button's refused post flashes on the page it returns to: the first of the form's errors."""
    return next(message for messages in form.errors.values() for message in messages)


class CountedTextArea(GovCharacterCount):
    """GOV.UK's character count up to the field's ``Length`` limit, so the limit is written once, in the validator.

    The count tells a person the limit before they reach it; going over is refused by the validator, with the text
    shown again, rather than cut short by a ``maxlength`` the browser applies unseen."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        limit = next(validator.max for validator in field.validators if isinstance(validator, Length))
        counted = {"maxlength": limit, "textareaDescriptionText": f"You can enter up to {limit:,} characters"}
        return counted | super().map_gov_params(field, **kwargs)


class LinesField(TextAreaField):
    """A box of names or codes, one a line: each line is checked as one-line text is."""


def _kind_of(field: StringField) -> TextKind:
    if isinstance(field, LinesField):
        return TextKind.LINES
    return TextKind.PROSE if isinstance(field, TextAreaField) else TextKind.LINE


class DayMonthYearField(DateField):
    """A date typed in GOV.UK's three boxes, which post day, month and year under one name.

    The widget unpacks exactly three values when the form is shown again, so whatever was posted (nothing,
    two parts, four) is kept as three. A blank date is None and a partial or impossible one is refused by name,
    here: do not add ``Optional()``, which would clear that refusal.
    """

    widget = GovDateInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [value.strip() for value in valuelist]
        self.raw_data = [*parts, "", "", ""][:3]
        self.data = None
        if not any(parts):
            return
        if len(parts) != 3 or not all(parts):
            raise ValueError(f"{self.label.text} must include a day, month and year")
        try:
            day, month, year = (int(part) for part in parts)
            self.data = datetime.date(year, month, day)
        except ValueError:
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2025") from None
