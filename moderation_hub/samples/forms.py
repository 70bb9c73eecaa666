"""Forms for work samples. Choices that depend on the school or framework are filled by the view."""

from flask_wtf.file import MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from moderation_hub.education import YEAR_GROUPS, year_group_label
from moderation_hub.forms import CountedTextArea, DayMonthYearField, PostForm, YesNoField
from moderation_hub.samples.models import Independence

YEAR_GROUP_CHOICES = [SelectChoice(year, year_group_label(year)) for year in YEAR_GROUPS]


def chosen_id(value: str | int | None) -> int | None:
    """A select's value where the empty first option ("Choose ...") means nothing is chosen yet."""
    return None if value in ("", None) else int(value)


class SampleDetailsForm(PostForm):
    pupil_code = StringField(
        "Pupil code",
        description="Your school's code for the pupil, like Y4-120. Never the pupil's name or initials.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the pupil code"),
            Length(max=20, message="Pupil code must be 20 characters or fewer"),
        ],
    )
    year_group = SelectField("Year group", widget=GovSelect(), coerce=int, choices=YEAR_GROUP_CHOICES)
    academic_year = SelectField("Academic year", widget=GovSelect(), coerce=int)


class NewSampleForm(SampleDetailsForm):
    # No defaults: the first year group and framework in each list (Reception, an APP framework) do not go together,
    # and a teacher who left one as it was would be refused a mismatch they never chose.
    year_group = SelectField(
        "Year group",
        widget=GovSelect(),
        coerce=chosen_id,
        choices=[SelectChoice("", "Choose a year group"), *YEAR_GROUP_CHOICES],
        validators=[InputRequired("Choose the pupil's year group")],
    )
    framework = SelectField(
        "Framework",
        description="What the work is judged against.",
        widget=GovSelect(),
        coerce=chosen_id,
        validators=[InputRequired("Choose the framework the work is judged against")],
    )
    submit = SubmitField("Create sample", widget=GovSubmitInput())


class EditSampleForm(SampleDetailsForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    teacher_judgement = RadioField(
        "Your overall judgement",
        description="The standard you judge the pupil to be working at, from the framework's scale.",
        widget=GovRadioInput(),
        validators=[Optional()],
    )
    commentary = TextAreaField(
        "Overall commentary",
        description="How the collection shows the standard. Do not name the pupil.",
        widget=CountedTextArea(),
        validators=[Length(max=10_000, message="Overall commentary must be 10,000 characters or fewer")],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class PieceForm(PostForm):
    title = StringField("Title", widget=GovTextInput(), validators=[InputRequired("Enter a title"), Length(max=200)])
    purpose = StringField(
        "Genre or purpose",
        description="For example: persuasive letter, recount.",
        widget=GovTextInput(),
        validators=[Length(max=200)],
    )
    written_on = DayMonthYearField("Date written")
    independence = RadioField(
        "How independently was it written?",
        description="Moderators weigh independent work most.",
        widget=GovRadioInput(),
        choices=[SelectChoice(item.value, item.label) for item in Independence],
        validators=[InputRequired("Say how independently the piece was written")],
    )
    submit = SubmitField("Add piece", widget=GovSubmitInput())


class UploadForm(PostForm):
    files = MultipleFileField(
        "Upload pages",
        description="PDF, JPEG, PNG or HEIC (iPhone) files. You can choose several at once.",
        widget=GovFileInput(multiple=True),
    )
    submit = SubmitField("Upload", widget=GovSubmitInput())


class VersionedActionForm(PostForm):
    """A button that acts on a sample: carries the version the person saw, and the CSRF token."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class NeedsRedactionForm(PostForm):
    needed = YesNoField("Page needs redaction")
