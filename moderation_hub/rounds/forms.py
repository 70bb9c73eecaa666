"""Forms for rounds. Choices that depend on the authority, the round or the framework are filled by the view."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from moderation_hub.education import Phase
from moderation_hub.forms import CountedTextArea, DayMonthYearField, LinesField, PostForm
from moderation_hub.rounds.models import RoundKind, SampleRequestKind


class RoundForm(PostForm):
    name = StringField(
        "Name of the round",
        description="For example: Year 6 writing, spring cluster meeting.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a name for the round"), Length(max=200)],
    )
    kind = RadioField(
        "Kind of round",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in RoundKind],
        validators=[InputRequired("Choose the kind of round")],
    )
    cluster = SelectField("Cluster", description="For a cluster meeting only.", widget=GovSelect(), coerce=int)
    frameworks = SelectMultipleField(
        "Frameworks", widget=GovCheckboxesInput(), coerce=int, validators=[InputRequired("Choose a framework")]
    )
    academic_year = SelectField("Academic year", widget=GovSelect(), coerce=int)
    judgements_per_sample = IntegerField(
        "Judgements wanted per sample",
        description="How many moderators judge each sample independently.",
        widget=GovTextInput(),
        default=2,
        validators=[InputRequired("Say how many judgements each sample needs"), NumberRange(1, 5)],
    )
    submission_deadline = DayMonthYearField("Deadline for schools' samples")
    judging_opens = DayMonthYearField(
        "Judging opens", description="The first day moderators can save and submit their judgements."
    )
    judging_closes = DayMonthYearField(
        "Judging closes", description="The last day they can. You can change both dates while judging."
    )
    hide_school = BooleanField("Hide the school (and the pupil code)", widget=GovCheckboxInput(), default=True)
    hide_teacher = BooleanField("Hide the teacher", widget=GovCheckboxInput(), default=True)
    hide_teacher_judgement = BooleanField(
        "Hide the teacher's judgement and commentary", widget=GovCheckboxInput(), default=True
    )
    hide_evidence = BooleanField("Hide the school's evidence claims", widget=GovCheckboxInput(), default=True)
    hide_annotations = BooleanField("Hide the teacher's annotations", widget=GovCheckboxInput(), default=True)
    exclude_own_cluster = BooleanField("Moderators never judge work from their own cluster", widget=GovCheckboxInput())
    require_other_phase = BooleanField(
        "Each sample needs at least one moderator from the other phase (cross-phase meetings)",
        widget=GovCheckboxInput(),
    )
    auto_agree = BooleanField(
        "Agree the outcome automatically when every moderator and the school agree", widget=GovCheckboxInput()
    )
    show_moderator_names = BooleanField(
        "Show moderators' names to schools with their outcomes", widget=GovCheckboxInput()
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
    submit = SubmitField("Save", widget=GovSubmitInput())


class AddSchoolForm(PostForm):
    school = SelectField("School", widget=GovSelect(), coerce=int)
    submit = SubmitField("Add school", widget=GovSubmitInput())


class SampleRequestForm(PostForm):
    kind = RadioField(
        "What should the school submit?",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in SampleRequestKind],
        validators=[InputRequired("Choose what the school should submit")],
    )
    count = IntegerField(
        "Number of pupils",
        widget=GovTextInput(),
        default=3,
        validators=[Optional(), NumberRange(1, 60, "Ask for between 1 and 60 pupils")],
    )
    codes = LinesField(
        "Pupil codes",
        description="For named pupils: one code per line, as the school records them.",
        widget=GovTextArea(),
        validators=[Length(max=5000)],
    )
    submit = SubmitField("Save request", widget=GovSubmitInput())


class WidenForm(PostForm):
    standard = SelectField("Standard", widget=GovSelect(), coerce=int)
    submit = SubmitField("Widen the sample", widget=GovSubmitInput())


PHASE_CHOICES = [SelectChoice("", "Not set")] + [SelectChoice(phase.value, phase.label) for phase in Phase]


class AddModeratorForm(PostForm):
    moderator = SelectField("Moderator", widget=GovSelect(), coerce=int)
    phase = SelectField(
        "Phase",
        description="Needed for cross-phase rounds when the moderator's school does not say.",
        widget=GovSelect(),
        choices=PHASE_CHOICES,
    )
    submit = SubmitField("Add moderator", widget=GovSubmitInput())


class ActionForm(PostForm):
    """A button: carries the CSRF token and the version of the row the person saw."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class AdvanceForm(ActionForm):
    target = StringField(widget=HiddenInput(), validators=[InputRequired()])


class EnterSampleForm(PostForm):
    sample = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class OverrideForm(PostForm):
    """The moderators chosen for one sample, one hidden value each; ``assign.override`` checks them against the
    round's moderators and rules, so the field offers no choices of its own to check."""

    moderators = SelectMultipleField("Moderators of this sample", coerce=int, validate_choice=False)
    submit = SubmitField("Save moderators", widget=GovSubmitInput())


class ReopenForm(PostForm):
    reason = StringField(
        "Why does it need to change?",
        widget=GovTextInput(),
        validators=[InputRequired("Say why the judgement is being reopened"), Length(max=500)],
    )
    submit = SubmitField(
        "Reopen for the moderator", widget=GovSubmitInput(), render_kw={"class": "govuk-button--secondary"}
    )


class OutcomeForm(PostForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    standard = RadioField(
        "Agreed standard", widget=GovRadioInput(), validators=[InputRequired("Choose the agreed standard")]
    )
    rationale = TextAreaField(
        "The panel's rationale",
        widget=CountedTextArea(),
        validators=[
            InputRequired("Give the panel's rationale"),
            Length(max=10_000, message="The panel's rationale must be 10,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Record agreed outcome", widget=GovSubmitInput())


class CommentForm(PostForm):
    page = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    comment = TextAreaField(
        "Comment on this page",
        widget=CountedTextArea(),
        validators=[
            InputRequired("Write the comment"),
            Length(max=10_000, message="Comment must be 10,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Add comment", widget=GovSubmitInput(), render_kw={"class": "govuk-button--secondary"})


class ConflictForm(PostForm):
    school = SelectField("School", widget=GovSelect(), coerce=int)
    reason = StringField(
        "Reason (optional)",
        description="For example: my sister teaches there. Only round leads see it.",
        widget=GovTextInput(),
        validators=[Length(max=500)],
    )
    submit = SubmitField("Declare conflict", widget=GovSubmitInput())
