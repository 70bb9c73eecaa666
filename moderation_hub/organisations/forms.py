"""Forms for schools and clusters, and the filter of the schools list.

The forms check what a person typed, so that every mistake is shown at once; the services check
the rules again (a URN's uniqueness, a cluster's authority) because they are the ones that hold them.
"""

from collections.abc import Sequence
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    Field,
    Form,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from moderation_hub.db import MAX_ROW_ID
from moderation_hub.education import KeyStage, SchoolPhase, SchoolType
from moderation_hub.forms import PostForm
from moderation_hub.organisations.models import Cluster
from moderation_hub.organisations.services import (
    CLUSTER_NAME_REQUIRED_MESSAGE,
    KEY_STAGE_REQUIRED_MESSAGE,
    NAME_MAX_LENGTH,
    NAME_REQUIRED_MESSAGE,
    NAME_TOO_LONG_MESSAGE,
    NO_CLUSTER,
    URN_FORMAT_MESSAGE,
    URN_PATTERN,
    SchoolDetails,
    SchoolFilter,
)

PHASE_MESSAGE = "Select the school's phase"
TYPE_MESSAGE = "Select the type of school"
CLUSTER_MESSAGE = "Choose a cluster from the list"
KEEP_ORIGINALS_MESSAGE = "Select whether to keep the original files"


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


def _optional_id(value: str | int | None) -> int | None:
    """A select's value: an id, or None for the empty choice; anything else raises ValueError."""
    if value in ("", None):
        return None
    row_id = int(value)
    if not 0 < row_id <= MAX_ROW_ID:
        raise ValueError("not an id")
    return row_id


def _urn_format(_form: Form, field: Field) -> None:
    if not URN_PATTERN.fullmatch(field.data or ""):
        raise ValidationError(URN_FORMAT_MESSAGE)


class SchoolForm(PostForm):
    """Add or change a school; the cluster choices are the clusters of the school's authority."""

    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(NAME_REQUIRED_MESSAGE),
            Length(max=NAME_MAX_LENGTH, message=NAME_TOO_LONG_MESSAGE),
        ],
    )
    urn = StringField(
        "URN",
        description="The school's unique reference number: 6 digits, as in Get Information About Schools.",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[DataRequired("Enter the school's URN"), _urn_format],
    )
    phase = RadioField(
        "Phase",
        description="As recorded in Get Information About Schools.",
        choices=[SelectChoice(phase.value, phase.label) for phase in SchoolPhase],
        coerce=SchoolPhase,
        widget=GovRadioInput(),
        invalid_choice_message=PHASE_MESSAGE,
        invalid_value_message=PHASE_MESSAGE,
    )
    school_type = RadioField(
        "Type of school",
        description="Choose the closest match.",
        choices=[SelectChoice(school_type.value, school_type.label) for school_type in SchoolType],
        coerce=SchoolType,
        widget=GovRadioInput(),
        invalid_choice_message=TYPE_MESSAGE,
        invalid_value_message=TYPE_MESSAGE,
    )
    key_stages = SelectMultipleField(
        "Key stages taught",
        description="Select all that apply.",
        choices=[SelectChoice(stage.value, stage.label) for stage in KeyStage],
        coerce=KeyStage,
        widget=GovCheckboxesInput(),
        validators=[DataRequired(KEY_STAGE_REQUIRED_MESSAGE)],
        invalid_choice_message=KEY_STAGE_REQUIRED_MESSAGE,
        invalid_value_message=KEY_STAGE_REQUIRED_MESSAGE,
    )
    # Not checked against the choices here: the service rejects a cluster of another authority, with its message.
    cluster_id = SelectField(
        "Cluster",
        description="The group of schools it moderates with. You can leave this for now.",
        coerce=_optional_id,
        validate_choice=False,
        widget=GovSelect(),
        invalid_value_message=CLUSTER_MESSAGE,
    )
    submit = SubmitField("Save school", widget=GovSubmitInput())

    def __init__(self, clusters: Sequence[Cluster], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.cluster_id.choices = [
            SelectChoice("", "Not in a cluster"),
            *(SelectChoice(str(c.id), c.name) for c in clusters),
        ]

    def details(self) -> SchoolDetails:
        return SchoolDetails(
            urn=self.urn.data or "",
            name=self.name.data or "",
            phase=self.phase.data,
            school_type=self.school_type.data,
            key_stages=self.key_stages.data or [],
            cluster_id=self.cluster_id.data,
        )


class ClusterForm(PostForm):
    name = StringField(
        "Cluster name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired(CLUSTER_NAME_REQUIRED_MESSAGE),
            Length(max=NAME_MAX_LENGTH, message=NAME_TOO_LONG_MESSAGE),
        ],
    )
    submit = SubmitField("Save cluster", widget=GovSubmitInput())


def _yes_no(value: str | bool) -> bool:
    """``yes`` or ``no`` from the form, or the school's own value; anything else is refused, never read as no."""
    if isinstance(value, bool):
        return value
    if value not in ("yes", "no"):
        raise ValueError("not yes or no")
    return value == "yes"


class SchoolSettingsForm(PostForm):
    """What a school decides for itself; its assessment lead fills it in."""

    keep_originals = RadioField(
        "Keep the original files teachers upload?",
        description=(
            "Originals are kept only in the school's private storage: moderators and anyone outside the school "
            "never see them, only the pages made from them. They take space. Turning this on keeps the files "
            "processed from now on; turning it off deletes the originals already kept."
        ),
        choices=[
            SelectChoice("yes", "Yes, keep them"),
            SelectChoice("no", "No, delete each file once its pages are made"),
        ],
        coerce=_yes_no,
        widget=GovRadioInput(),
        validators=[InputRequired(KEEP_ORIGINALS_MESSAGE)],
        invalid_choice_message=KEEP_ORIGINALS_MESSAGE,
        invalid_value_message=KEEP_ORIGINALS_MESSAGE,
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class SchoolFilterForm(Form):
    """The schools list's filter, read from the query string: a GET changes nothing, so it needs no CSRF token."""

    cluster = SelectField("Cluster", default="", widget=GovSelect(), invalid_choice_message=CLUSTER_MESSAGE)
    school_type = SelectField(
        "Type of school",
        choices=[SelectChoice("", "All types"), *(SelectChoice(t.value, t.label) for t in SchoolType)],
        default="",
        widget=GovSelect(),
        invalid_choice_message=TYPE_MESSAGE,
    )

    def __init__(self, formdata: Any, clusters: Sequence[Cluster], name_authority: bool) -> None:
        super().__init__(formdata)
        self.cluster.choices = [
            SelectChoice("", "All clusters"),
            SelectChoice(NO_CLUSTER, "Not in a cluster"),
            *(
                SelectChoice(str(c.id), f"{c.name} ({c.authority.name})" if name_authority else c.name)
                for c in clusters
            ),
        ]

    def school_filter(self) -> SchoolFilter:
        cluster = self.cluster.data or None
        return SchoolFilter(
            cluster=NO_CLUSTER if cluster == NO_CLUSTER else _optional_id(cluster),
            school_type=SchoolType(self.school_type.data) if self.school_type.data else None,
        )
