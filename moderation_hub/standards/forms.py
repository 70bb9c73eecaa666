"""Forms of the standards file. Choices that depend on the authority, school or exemplar are filled by the view."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from moderation_hub.forms import CountedTextArea, DayMonthYearField, PostForm
from moderation_hub.standards.commentary import (
    STATEMENT_LIMIT,
    SUMMARY_LIMIT,
    WHY_NOT_NEXT_LIMIT,
    Statement,
    statement_field,
)
from moderation_hub.standards.models import PublicationScope


class VersionedButtonForm(PostForm):
    """A button acting on a versioned row: the version the person saw, and the CSRF token."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ButtonForm(PostForm):
    """A button with nothing to send but its CSRF token."""


class RuleForm(PostForm):
    min_moderators = IntegerField(
        "Fewest moderators",
        description="Submitted blind judgements the agreed outcome must rest on: 2 or more.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the fewest moderators"),
            NumberRange(2, 20, "Fewest moderators must be 2 to 20"),
        ],
    )
    min_overall_percent = IntegerField(
        "Overall agreement (%)",
        description="Share of moderators whose overall judgement equals the agreed standard. 100 means every one.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the overall agreement"),
            NumberRange(0, 100, "Overall agreement must be 0 to 100"),
        ],
    )
    min_criterion_percent = IntegerField(
        "Agreement on each criterion (%)",
        description="Percent agreement of the moderators' verdicts on every criterion two or more of them judged.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the agreement on each criterion"),
            NumberRange(0, 100, "Agreement on each criterion must be 0 to 100"),
        ],
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField("Save the rule", widget=GovSubmitInput())


class OutsideForm(PostForm):
    school = SelectField("School", widget=GovSelect(), coerce=int, validators=[InputRequired("Choose the school")])
    pupil_code = StringField(
        "Pupil code",
        description="As the school records it on the sample.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the pupil code"), Length(max=20)],
    )
    academic_year = SelectField("Academic year", widget=GovSelect(), coerce=int)
    standard = SelectField(
        "Agreed standard", widget=GovSelect(), coerce=int, validators=[InputRequired("Choose the agreed standard")]
    )
    note = TextAreaField(
        "Where it was moderated",
        description="For example: LA moderation visit, June 2025, two moderators agreed.",
        widget=CountedTextArea(),
        validators=[InputRequired("Say where it was moderated"), Length(max=2000)],
    )
    submit = SubmitField("Add to the standards file", widget=GovSubmitInput())


class CommentaryForm(PostForm):
    """The summary and why this standard and not the next; ``commentary_form`` adds a box per framework statement."""

    commentary = TextAreaField(
        "Summary",
        description="How the collection as a whole shows the standard. Do not name the pupil, teacher or school.",
        widget=CountedTextArea(),
        validators=[
            InputRequired("Enter the summary"),
            Length(max=SUMMARY_LIMIT, message=f"Summary must be {SUMMARY_LIMIT:,} characters or fewer"),
        ],
    )
    why_not_next = TextAreaField(
        "Why this standard and not the next",
        widget=CountedTextArea(),
        validators=[
            InputRequired("Say why this is the standard and not the next one"),
            Length(
                max=WHY_NOT_NEXT_LIMIT,
                message=f"Why this standard and not the next must be {WHY_NOT_NEXT_LIMIT:,} characters or fewer",
            ),
        ],
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField("Save commentary", widget=GovSubmitInput())

    def statement_fields(self) -> list[Field]:
        return [field for field in self if field.name.startswith("statement_")]

    def statements(self) -> dict[str, str]:
        """Criterion code -> the commentary posted on it."""
        return {field.code: field.data or "" for field in self.statement_fields()}  # type: ignore[attr-defined]


def commentary_form(
    statements: list[Statement], next_standard: dict[str, str] | None, **values: object
) -> CommentaryForm:
    """The commentary form for an exemplar: a box for each of its framework's ``statements``, in order, each
    named ``statement_<code>``; the last box asks why this standard and not ``next_standard``."""

    class ExemplarCommentaryForm(CommentaryForm):
        pass

    for statement in statements:
        label = f"{statement.code}: {statement.statement}"
        field = TextAreaField(
            label,
            description="Quote the pupil and cite the pieces, such as \u201cpiece B, page 2\u201d. Leave it blank if "
            "the collection does not show it.",
            widget=CountedTextArea(),
            validators=[
                Optional(),
                Length(max=STATEMENT_LIMIT, message=f"{label} must be {STATEMENT_LIMIT:,} characters or fewer"),
            ],
        )
        setattr(ExemplarCommentaryForm, statement_field(statement.code), field)
    form = ExemplarCommentaryForm(**values)
    for statement in statements:
        form[statement_field(statement.code)].code = statement.code  # type: ignore[attr-defined]
    form.why_not_next.description = (
        f"What the collection would need to show for {next_standard['label']} ({next_standard['code']}), and does not."
        if next_standard
        else "This is the top of the scale: what secures it."
    )
    return form


class CheckForm(PostForm):
    pages = SelectMultipleField(
        "Pages checked",
        widget=GovCheckboxesInput(),
        coerce=int,
        validators=[InputRequired("Confirm every page")],
    )
    submit = SubmitField("Confirm these pages", widget=GovSubmitInput())


class PermissionForm(PostForm):
    given_by = StringField(
        "Who gave permission",
        description="For example: parent, on the signed consent form. Not a name.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter who gave permission"), Length(max=200)],
    )
    given_on = DayMonthYearField("Date permission was given")
    scope = RadioField(
        "Who may see the exemplar",
        widget=GovRadioInput(),
        choices=[SelectChoice(scope.value, scope.label) for scope in PublicationScope],
        validators=[InputRequired("Choose who may see the exemplar")],
    )
    expires_on = DayMonthYearField("Expiry date", description="Optional. The exemplar disappears on the day after.")
    submit = SubmitField("Record permission", widget=GovSubmitInput())

    def validate_given_on(self, field: Field) -> None:
        if field.data is None and not field.errors:
            raise ValidationError("Enter the date permission was given")


class NeverPublishForm(PostForm):
    pupil_code = StringField(
        "Pupil code",
        description="This pupil's work will never be published, and any exemplar of theirs is withdrawn now.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the pupil code"), Length(max=20)],
    )
    submit = SubmitField("Never publish this pupil", widget=GovSubmitInput())


class PairForm(PostForm):
    """An LA lead marks a boundary pair: the codes of the exemplar just at a standard and the one just below it."""

    at = StringField(
        "Exemplar just at the standard",
        description="Its code, as its page's address ends.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the exemplar just at the standard"), Length(max=16)],
    )
    below = StringField(
        "Exemplar just below it",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the exemplar just below the standard"), Length(max=16)],
    )
    note = StringField(
        "What the pair shows (optional)",
        widget=CountedTextArea(),
        validators=[Length(max=2000, message="What the pair shows must be 2,000 characters or fewer")],
    )
    submit = SubmitField("Mark as a boundary pair", widget=GovSubmitInput())
