"""Accounts: signing in, passwords, resets, invitations and roles. Functions flush; the caller commits."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from blinker import Namespace
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from moderation_hub.accounts.models import Invitation, Membership, Role, Scope, User
from moderation_hub.accounts.passwords import hash_password, needs_rehash, password_problems, verify_password
from moderation_hub.accounts.sessions import end_all_sessions
from moderation_hub.db import db, utcnow
from moderation_hub.logs import logger
from moderation_hub.mail import email_link, send_email
from moderation_hub.organisations.models import LocalAuthority, School


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message is safe to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; equally slow whether or not the account exists."""
    user = find_user_by_email(email)
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_active:
        logger.info("sign-in refused", extra={"user_id_attempted": user.id if user else None})
        return None
    if needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    user.last_signed_in_at = utcnow()
    db.session.flush()
    logger.info("signed in", extra={"signed_in_user_id": user.id})
    return user


def check_new_password(password: str, email: str, display_name: str) -> list[str]:
    personal_words = [email, *email.split("@", maxsplit=1)[0].replace(".", " ").split(), *display_name.split()]
    return password_problems(password, current_app.config["PASSWORD_MIN_LENGTH"], personal_words)


def set_password(user: User, password: str) -> None:
    """Set a new password and end every session the user holds."""
    problems = check_new_password(password, user.email, user.display_name)
    if problems:
        raise AccountError(problems[0])
    user.password_hash = hash_password(password)
    end_all_sessions(user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise AccountError("Your current password is not correct")
    set_password(user, new_password)
    logger.info("password changed", extra={"subject_user_id": user.id})


def create_user(email: str, display_name: str, password: str) -> User:
    email = normalise_email(email)
    if find_user_by_email(email) is not None:
        raise AccountError("An account with that email address already exists")
    problems = check_new_password(password, email, display_name)
    if problems:
        raise AccountError(problems[0])
    user = User(email=email, display_name=display_name.strip(), password_hash=hash_password(password))
    db.session.add(user)
    db.session.flush()
    return user


# Password reset: a signed, expiring token that also names the user's current password and sessions,
# so it stops working as soon as it has been used (or the password changed some other way).


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _reset_fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}|{user.session_token}".encode()).hexdigest()[:32]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "fingerprint": _reset_fingerprint(user)})


def send_password_reset(email: str) -> None:
    """Email a reset link when the account exists and is active; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    link = email_link("accounts.reset_password", token=make_reset_token(user))
    hours = current_app.config["PASSWORD_RESET_MAX_AGE_HOURS"]
    send_email(
        user.email,
        "Reset your Moderation Hub password",
        f"Someone asked to reset the password of your Moderation Hub account.\n\n"
        f"To choose a new password, open this link within {hours} hours:\n{link}\n\n"
        "If it was not you, ignore this email: your password has not changed.",
    )


def user_for_reset_token(token: str) -> User:
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE_HOURS"] * 3600
    try:
        payload = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise AccountError("This password reset link has expired. Ask for a new one.") from None
    except BadSignature:
        raise AccountError("This password reset link is not valid. Ask for a new one.") from None
    user = db.session.get(User, payload.get("user"))
    if user is None or not user.is_active or payload.get("fingerprint") != _reset_fingerprint(user):
        raise AccountError("This password reset link has already been used. Ask for a new one.")
    return user


# Roles and invitations


@dataclass(frozen=True)
class RoleGrant:
    role: Role
    school: School | None = None
    authority: LocalAuthority | None = None

    def __post_init__(self) -> None:
        scope = self.role.scope
        if scope is Scope.SCHOOL and (self.school is None or self.authority is not None):
            raise AccountError(f"A {self.role.label.lower()} role needs a school")
        if scope is Scope.AUTHORITY and (self.authority is None or self.school is not None):
            raise AccountError(f"A {self.role.label.lower()} role needs a local authority")
        if scope is Scope.SITE and (self.school is not None or self.authority is not None):
            raise AccountError("The site administrator role is not held in a school or authority")

    @property
    def scope_name(self) -> str:
        place = self.school or self.authority
        return place.name if place is not None else "the whole site"


# Sent with the user once a new role is flushed, so that what depends on who sees what (blind judging) can act;
# accounts sits below the capabilities that listen, so it tells them rather than calling them.
role_granted = Namespace().signal("role-granted")


def grant_role(user: User, grant: RoleGrant) -> Membership:
    """Give the user a role; granting one they already hold changes nothing."""
    for membership in user.memberships:
        if (membership.role, membership.school_id, membership.authority_id) == (
            grant.role,
            grant.school.id if grant.school else None,
            grant.authority.id if grant.authority else None,
        ):
            return membership
    membership = Membership(role=grant.role, school=grant.school, authority=grant.authority)
    user.memberships.append(membership)
    db.session.flush()
    logger.info("role granted", extra={"subject_user_id": user.id, "role": grant.role.value})
    role_granted.send(user)
    return membership


def revoke_role(user: User, membership: Membership) -> None:
    if membership.user_id != user.id:
        raise AccountError("That role belongs to someone else")
    user.memberships.remove(membership)
    end_all_sessions(user)
    logger.info("role revoked", extra={"subject_user_id": user.id, "role": membership.role.value})


def set_active(user: User, *, active: bool) -> None:
    user.is_active = active
    end_all_sessions(user)
    logger.info("account activated" if active else "account deactivated", extra={"subject_user_id": user.id})


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(email: str, grant: RoleGrant, invited_by: User) -> Invitation | None:
    """Invite a new person to a role by email; someone who already has an account is given the role at once.

    Returns the invitation, or None when the role went straight to an existing account.
    """
    email = normalise_email(email)
    existing = find_user_by_email(email)
    if existing is not None:
        grant_role(existing, grant)
        send_email(
            existing.email,
            "You have a new role in Moderation Hub",
            f"{invited_by.display_name} has made you {grant.role.label.lower()} for {grant.scope_name}.\n\n"
            f"Sign in to see it: {email_link('accounts.sign_in')}",
        )
        return None
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        role=grant.role,
        school=grant.school,
        authority=grant.authority,
        invited_by=invited_by,
        token_hash=_token_hash(token),
        expires_at=utcnow() + dt.timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    link = email_link("accounts.accept_invitation", token=token)
    send_email(
        email,
        "You are invited to Moderation Hub",
        f"{invited_by.display_name} has invited you to join Moderation Hub as {grant.role.label.lower()} "
        f"for {grant.scope_name}.\n\nTo accept, open this link and choose a password:\n{link}\n\n"
        f"The link works for {current_app.config['INVITATION_MAX_AGE_DAYS']} days.",
    )
    logger.info("invitation sent", extra={"invitation_id": invitation.id, "role": grant.role.value})
    return invitation


def open_invitation(token: str) -> Invitation:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _token_hash(token)))
    if invitation is None:
        raise AccountError("This invitation link is not valid. Ask the person who invited you to send a new one.")
    if invitation.accepted_at is not None:
        raise AccountError("This invitation has already been accepted. Sign in with your email address and password.")
    if invitation.expires_at < utcnow():
        raise AccountError("This invitation has expired. Ask the person who invited you to send a new one.")
    return invitation


def accept_invitation(token: str, display_name: str, password: str) -> User:
    invitation = open_invitation(token)
    user = create_user(invitation.email, display_name, password)
    grant_role(user, RoleGrant(invitation.role, invitation.school, invitation.authority))
    invitation.accepted_at = utcnow()
    db.session.flush()
    logger.info("invitation accepted", extra={"invitation_id": invitation.id, "new_user_id": user.id})
    return user
