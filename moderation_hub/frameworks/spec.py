"""A framework as plain, validated data: what a YAML file describes and what an export writes.

Frozen dataclasses of tuples, so that two specs compare equal exactly when they describe the same
framework; that comparison decides whether re-importing a version is a no-op or a conflict.
"""

from dataclasses import dataclass

from moderation_hub.education import KeyStage, Phase


@dataclass(frozen=True)
class StandardSpec:
    code: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class GroupSpec:
    code: str
    title: str


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    standard: str  # the code of a standard in the same framework
    statement: str
    group: str | None = None  # the code of a group in the same framework


@dataclass(frozen=True)
class FrameworkSpec:
    slug: str
    version: int
    title: str
    subject: str
    phase: Phase
    key_stage: KeyStage | None
    year_groups: tuple[int, ...]  # ascending
    standards: tuple[StandardSpec, ...]  # the outcome scale, lowest first
    description: str = ""
    groups: tuple[GroupSpec, ...] = ()
    criteria: tuple[CriterionSpec, ...] = ()
