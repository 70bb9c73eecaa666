"""Every capability's models, imported together so that the metadata (and Alembic) sees them all."""

from moderation_hub.accounts.models import Invitation, Membership, Role, Scope, User
from moderation_hub.db import Base
from moderation_hub.frameworks.models import Criterion, CriterionGroup, Framework, FrameworkYearGroup, Standard
from moderation_hub.organisations.models import AuthorityKind, Cluster, LocalAuthority, School, SchoolKeyStage

__all__ = [
    "AuthorityKind",
    "Base",
    "Cluster",
    "Criterion",
    "CriterionGroup",
    "Framework",
    "FrameworkYearGroup",
    "Invitation",
    "LocalAuthority",
    "Membership",
    "Role",
    "School",
    "SchoolKeyStage",
    "Scope",
    "Standard",
    "User",
]
