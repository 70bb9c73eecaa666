"""Flask extensions, created unbound here and bound to an app in the factory."""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import AnonymousUserMixin, LoginManager
from flask_wtf.csrf import CSRFProtect


class Anonymous(AnonymousUserMixin):
    """Someone not signed in: no id and no roles, so that a page open to them (the standards file read in public)
    can ask what it asks of anyone."""

    id = None
    is_site_admin = False
    memberships = ()

    def authorities_with_role(self, _role: object) -> list[int]:
        return []

    def schools_with_role(self, _role: object) -> list[int]:
        return []


login_manager = LoginManager()
login_manager.anonymous_user = Anonymous
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Sign in to see this page."
login_manager.login_message_category = "info"
# A remember cookie restores a session without a password, so a changed address or agent re-asks for one.
login_manager.session_protection = "strong"

csrf = CSRFProtect()

# No default limits: only sign-in is throttled, by the limits declared on that view.
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=False)


def client_address() -> str:
    return request.remote_addr or "unknown"
