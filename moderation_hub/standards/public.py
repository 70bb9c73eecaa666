"""Reading the standards file without signing in, on an installation that allows it (``STANDARDS_PUBLIC``, off by
default). Which exemplars such a reader gets is decided by ``permissions.readable_exemplars`` (public scope only);
this module only lets the readers' pages answer them instead of sending them to sign in, and tells the templates to
leave out what might identify a school (a round's name, a note on moderation outside the platform)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app
from flask_login import current_user

from moderation_hub.permissions import reads_in_public


def signed_in_or_public(view: Callable[..., Any]) -> Callable[..., Any]:
    """``login_required`` for the standards file's readers' pages, except for the public where the installation
    allows it."""

    @wraps(view)
    def answered(*args: Any, **kwargs: Any) -> Any:
        if current_user.is_authenticated or reads_in_public(current_user):
            return view(*args, **kwargs)
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]

    return answered


def template_values() -> dict[str, bool]:
    return {"public_reader": reads_in_public(current_user)}
