"""The one form of prepared downloads."""

from moderation_hub.forms import PostForm


class AskForm(PostForm):
    """The "Prepare" button: nothing to send but its CSRF token; what to prepare is in the form's address."""
