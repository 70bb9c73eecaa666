"""The standards file's search form: what to find and the filters, sent in the address (a GET: nothing changes,
so no CSRF token), checked by the same text rules as every form."""

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Length

from moderation_hub.forms import PostForm
from moderation_hub.standards.filtering import FACETS
from moderation_hub.standards.search import FILTERS, LONGEST_QUERY

ANY = SelectChoice("", "Any")


class SearchForm(PostForm):
    class Meta:
        csrf = False

    q = StringField(
        "Words to find",
        description='Every word must appear. Put words in quotes to find them together: "fronted adverbials".',
        widget=GovTextInput(),
        validators=[Length(max=LONGEST_QUERY, message=f"Words to find must be {LONGEST_QUERY} characters or fewer")],
    )
    phase = SelectField(FACETS["phase"].label, default="", widget=GovSelect())
    key_stage = SelectField(FACETS["key_stage"].label, default="", widget=GovSelect())
    subject = SelectField(FACETS["subject"].label, default="", widget=GovSelect())
    year = SelectField(FACETS["year"].label, default="", widget=GovSelect())
    standard = SelectField(FACETS["standard"].label, default="", widget=GovSelect())
    framework = SelectField(FACETS["framework"].label, default="", widget=GovSelect())
    submit = SubmitField("Search", widget=GovSubmitInput())

    def offer(self, choices: dict[str, list[tuple[str, str]]]) -> None:
        """Each filter's values (from ``search.filter_choices``), after 'Any'."""
        for name in FILTERS:
            self[name].choices = [ANY, *(SelectChoice(value, label) for value, label in choices[name])]

    def filters(self) -> dict[str, Any]:
        return {name: self[name].data for name in FILTERS if self[name].data}
