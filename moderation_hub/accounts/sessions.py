"""Sessions the server can revoke.

A session (and a remember cookie) identifies its user as ``<id>:<session_token>``. Replacing the
user's session token ends every session and remember cookie they hold, on every device: signing
out, changing a password, an administrator ending sessions, and deactivation all do that.
"""

from moderation_hub.accounts.models import User, new_session_token
from moderation_hub.db import db


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
