"""People, the roles they hold in a school, an authority or the site, and invitations to new people."""

import datetime as dt
import enum
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation_hub.db import Base, created_at, int_pk, short_text
from moderation_hub.education import enum_column
from moderation_hub.organisations.models import LocalAuthority, School


class Scope(enum.StrEnum):
    SCHOOL = "school"
    AUTHORITY = "authority"
    SITE = "site"


class Role(enum.StrEnum):
    TEACHER = "teacher"
    ASSESSMENT_LEAD = "assessment_lead"
    MODERATOR = "moderator"
    LA_LEAD = "la_lead"
    SITE_ADMIN = "site_admin"

    @property
    def scope(self) -> Scope:
        return ROLE_SCOPES[self]

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_SCOPES = {
    Role.TEACHER: Scope.SCHOOL,
    Role.ASSESSMENT_LEAD: Scope.SCHOOL,
    Role.MODERATOR: Scope.AUTHORITY,
    Role.LA_LEAD: Scope.AUTHORITY,
    Role.SITE_ADMIN: Scope.SITE,
}
ROLE_LABELS = {
    Role.TEACHER: "Teacher",
    Role.ASSESSMENT_LEAD: "Assessment lead",
    Role.MODERATOR: "Moderator",
    Role.LA_LEAD: "LA assessment lead",
    Role.SITE_ADMIN: "Site administrator",
}


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(Base):
    __tablename__ = "user_account"
    # Emails are stored lower-cased, so the unique constraint is case-insensitive; the check keeps it so.
    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lower_case"),)

    id: Mapped[int_pk]
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[short_text]
    password_hash: Mapped[str | None] = mapped_column(sa.String(200))
    # Part of every session's identity: replacing it ends every session and remember cookie of the user.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created_at]
    last_signed_in_at: Mapped[dt.datetime | None]

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.id"
    )

    # Flask-Login's user protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def roles_in_school(self, school_id: int) -> set[Role]:
        return {m.role for m in self.memberships if m.school_id == school_id}

    def roles_in_authority(self, authority_id: int) -> set[Role]:
        return {m.role for m in self.memberships if m.authority_id == authority_id}

    def has_role(self, role: Role) -> bool:
        return any(m.role is role for m in self.memberships)

    @property
    def is_site_admin(self) -> bool:
        return self.has_role(Role.SITE_ADMIN)

    def schools_with_role(self, *roles: Role) -> list[int]:
        return sorted({m.school_id for m in self.memberships if m.role in roles and m.school_id is not None})

    def authorities_with_role(self, *roles: Role) -> list[int]:
        return sorted({m.authority_id for m in self.memberships if m.role in roles and m.authority_id is not None})


SCOPE_CHECK = (
    "(role IN ('teacher', 'assessment_lead') AND school_id IS NOT NULL AND authority_id IS NULL)"
    " OR (role IN ('moderator', 'la_lead') AND authority_id IS NOT NULL AND school_id IS NULL)"
    " OR (role = 'site_admin' AND school_id IS NULL AND authority_id IS NULL)"
)


class Membership(Base):
    """A role held by a user in a scope: a school, an authority, or the whole site."""

    __tablename__ = "membership"
    __table_args__ = (sa.CheckConstraint(SCOPE_CHECK, name="role_matches_scope"),)

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"), index=True)
    authority_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("local_authority.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[created_at]

    user: Mapped[User] = relationship(back_populates="memberships")
    school: Mapped[School | None] = relationship()
    authority: Mapped[LocalAuthority | None] = relationship()

    @property
    def scope_name(self) -> str:
        if self.school is not None:
            return self.school.name
        if self.authority is not None:
            return self.authority.name
        return "Whole site"


class Invitation(Base):
    """An invitation to a new person to take a role; the emailed link carries a token whose hash is kept."""

    __tablename__ = "invitation"

    id: Mapped[int_pk]
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    school_id: Mapped[int | None] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"))
    authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("local_authority.id", ondelete="CASCADE"))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime]
    accepted_at: Mapped[dt.datetime | None]

    school: Mapped[School | None] = relationship()
    authority: Mapped[LocalAuthority | None] = relationship()
    invited_by: Mapped[User | None] = relationship()
