"""Forms for signing in, passwords, invitations and people admin. CSRF and the text checks come with PostForm."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length

from moderation_hub.accounts.passwords import MAX_LENGTH
from moderation_hub.forms import PostForm, YesNoField

EMAIL_REQUIRED = InputRequired("Enter your email address")


class SignInForm(PostForm):
    email = EmailField("Email address", widget=GovTextInput(), validators=[EMAIL_REQUIRED, Length(max=254)])
    password = PasswordField(
        "Password", widget=GovPasswordInput(), validators=[InputRequired("Enter your password"), Length(max=MAX_LENGTH)]
    )
    remember = BooleanField("Keep me signed in on this device for 14 days", widget=GovCheckboxInput())
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ForgottenPasswordForm(PostForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            EMAIL_REQUIRED,
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(max=254),
        ],
    )
    submit = SubmitField("Send a reset link", widget=GovSubmitInput())


class NewPasswordForm(PostForm):
    password = PasswordField(
        "New password",
        description="Use 15 characters or more. A few unrelated words together make a good password.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a new password")],
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        "Current password", widget=GovPasswordInput(), validators=[InputRequired("Enter your current password")]
    )


class AcceptInvitationForm(NewPasswordForm):
    display_name = StringField(
        "Your name",
        description="Shown to colleagues in your school and local authority.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your name"), Length(max=200, message="Name must be 200 characters or fewer")],
    )
    password = PasswordField(
        "Choose a password",
        description="Use 15 characters or more. A few unrelated words together make a good password.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Choose a password")],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class InviteForm(PostForm):
    """Choices are filled by the view from what the inviter is allowed to grant."""

    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person's email address"),
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(max=254),
        ],
    )
    role = RadioField("Role", widget=GovRadioInput(), validators=[InputRequired("Choose a role")])
    school = SelectField("School", description="For a teacher or assessment lead.", widget=GovSelect(), coerce=str)
    authority = SelectField(
        "Local authority or trust", description="For a moderator or LA lead.", widget=GovSelect(), coerce=str
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ActiveForm(PostForm):
    active = YesNoField("Account active")


class ConfirmForm(PostForm):
    """A form with only a button: the CSRF token protects actions such as signing out."""
