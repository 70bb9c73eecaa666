"""The booklet's form: which exemplars go in (a framework, a year group, a standard; any left as 'Any' is every one),
posted with its CSRF token. Its choices are what the reader may read (``booklet.choices_for``), each counted; a value
not offered (a typed address, a control character) is refused as not a valid choice."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectChoice, SelectField, SubmitField

from moderation_hub.forms import PostForm
from moderation_hub.standards.booklet import Choices, Filters

ANY = SelectChoice("", "Any")


class BookletForm(PostForm):
    framework = SelectField("Framework", default="", widget=GovSelect())
    year = SelectField("Year group", default="", widget=GovSelect())
    standard = SelectField("Standard", default="", widget=GovSelect())
    submit = SubmitField("Make the booklet (PDF)", widget=GovSubmitInput())

    def offer(self, choices: Choices) -> None:
        for field, offered in (
            (self.framework, choices.frameworks),
            (self.year, choices.years),
            (self.standard, choices.standards),
        ):
            field.choices = [ANY, *(SelectChoice(str(value), label) for value, label in offered)]

    def filters(self) -> Filters:
        def chosen(value: str | None) -> int | None:
            return int(value) if value else None

        return Filters(chosen(self.framework.data), chosen(self.year.data), chosen(self.standard.data))
