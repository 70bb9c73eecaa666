"""Every capability's models, imported together so that the metadata (and Alembic) sees them all."""

from moderation_hub.accounts.models import Invitation, Membership, Role, Scope, User
from moderation_hub.audit.models import AuditEvent
from moderation_hub.db import Base
from moderation_hub.downloads.models import PreparedDownload
from moderation_hub.frameworks.models import Criterion, CriterionGroup, Framework, FrameworkYearGroup, Standard
from moderation_hub.organisations.models import AuthorityKind, Cluster, LocalAuthority, School, SchoolKeyStage
from moderation_hub.reports.models import ReportFigures
from moderation_hub.rounds.models import (
    CriterionJudgement,
    Judgement,
    JudgementComment,
    ModerationRound,
    ModeratorConflict,
    RoundEntry,
    RoundModerator,
    RoundSchool,
)
from moderation_hub.samples.models import (
    Annotation,
    EvidenceClaim,
    Page,
    Piece,
    Redaction,
    SampleState,
    SourceFile,
    WorkSample,
)
from moderation_hub.standards.models import (
    Exemplar,
    ExemplarImage,
    ExemplarRevision,
    NeverPublish,
    PageCheck,
    PublicationPermission,
    StandardsRule,
)
from moderation_hub.standards.search_index import declared  # the search index, made with the exemplar table

__all__ = [
    "Annotation",
    "AuditEvent",
    "AuthorityKind",
    "Base",
    "Cluster",
    "Criterion",
    "CriterionGroup",
    "CriterionJudgement",
    "EvidenceClaim",
    "Exemplar",
    "ExemplarImage",
    "ExemplarRevision",
    "Framework",
    "FrameworkYearGroup",
    "Invitation",
    "Judgement",
    "JudgementComment",
    "LocalAuthority",
    "Membership",
    "ModerationRound",
    "ModeratorConflict",
    "NeverPublish",
    "Page",
    "PageCheck",
    "Piece",
    "PreparedDownload",
    "PublicationPermission",
    "Redaction",
    "ReportFigures",
    "Role",
    "RoundEntry",
    "RoundModerator",
    "RoundSchool",
    "SampleState",
    "School",
    "SchoolKeyStage",
    "Scope",
    "SourceFile",
    "Standard",
    "StandardsRule",
    "User",
    "WorkSample",
    "declared",
]
