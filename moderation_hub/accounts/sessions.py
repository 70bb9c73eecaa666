"""Sessions the server can revoke.

A session (and a remember cookie) identifies its user as ``<id>:<session_token>``. Replacing the
user's session token ends every session and remember cookie they hold, on every device: signing
out, changing a password, an administrator ending sessions, and deactivation all do that.
"""

from flask import Flask

from moderation_hub.accounts.models import User, new_session_token
from moderation_hub.db import db
from moderation_hub.extensions import login_manager


def init_sessions(app: Flask) -> None:
    app.config.setdefault("SESSION_PROTECTION", "strong")
    login_manager.user_loader(load_session_user)


def load_session_user(identity: str) -> User | None:
    user_id, _, token = identity.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def end_all_sessions(user: User) -> None:
    user.session_token = new_session_token()
    db.session.flush()
