"""The form to upload a framework file. CSRF and the text checks come with PostForm."""

from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import SubmitField

from moderation_hub.forms import PostForm

# A framework file is a few kilobytes; a megabyte is generous and keeps parsing cheap.
MAX_FILE_BYTES = 1024 * 1024


class ImportFrameworkForm(PostForm):
    file = FileField(
        "Framework file",
        description="A YAML file ending .yaml or .yml, smaller than 1 MB",
        widget=GovFileInput(),
        validators=[
            FileRequired("Select a framework file"),
            FileAllowed(["yaml", "yml"], "The selected file must be a YAML file ending .yaml or .yml"),
            FileSize(MAX_FILE_BYTES, message="The selected file must be smaller than 1 MB"),
        ],
    )
    submit = SubmitField("Import framework", widget=GovSubmitInput())
