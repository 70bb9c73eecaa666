"""Frameworks in the database: import a spec as a version, export one, and find them to list and read.

Functions here only flush; the request or the CLI command commits.
"""

from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from moderation_hub.db import db
from moderation_hub.education import KeyStage, Phase
from moderation_hub.frameworks.models import Criterion, CriterionGroup, Framework, FrameworkYearGroup, Standard
from moderation_hub.frameworks.spec import CriterionSpec, FrameworkSpec, GroupSpec, StandardSpec
from moderation_hub.frameworks.yaml_format import FrameworkFormatError, dump_framework, parse_framework

DEMO_DIRECTORY = Path(__file__).resolve().parent / "demo"


@dataclass(frozen=True)
class ImportResult:
    framework: Framework
    created: bool  # False when the same version was already there with the same content

    @property
    def summary(self) -> str:
        name = f"{self.framework.title} (version {self.framework.version})"
        return f"Imported {name}." if self.created else f"{name} was already imported; nothing changed."


def import_framework_file(source: str | bytes) -> ImportResult:
    """Parse a framework file and import it; raise ``FrameworkFormatError`` and store nothing if it is invalid."""
    return import_framework(parse_framework(source))


def import_framework(spec: FrameworkSpec) -> ImportResult:
    """Store ``spec`` as a new version. An identical existing version is kept; a different one is an error,
    because pupils' work is judged against a version and must keep meaning what it meant."""
    existing = find_framework(spec.slug, spec.version)
    if existing is not None:
        if framework_spec(existing) == spec:
            return ImportResult(existing, created=False)
        latest = max(framework.version for framework in framework_versions(spec.slug))
        raise FrameworkFormatError(
            [
                f"version: {spec.slug} version {spec.version} already exists with different content; "
                f"to import this file, change its version to {latest + 1}"
            ]
        )
    framework = _build_framework(spec)
    try:
        with db.session.begin_nested():  # a savepoint: losing a race leaves the session usable
            db.session.add(framework)
    except IntegrityError:
        raise FrameworkFormatError(
            [
                f"version: {spec.slug} version {spec.version} was imported by someone else at the same moment; "
                "look at the framework list before importing again"
            ]
        ) from None
    return ImportResult(framework, created=True)


def _build_framework(spec: FrameworkSpec) -> Framework:
    standards = {
        item.code: Standard(position=position, code=item.code, label=item.label, description=item.description)
        for position, item in enumerate(spec.standards)
    }
    groups = {
        item.code: CriterionGroup(position=position, code=item.code, title=item.title)
        for position, item in enumerate(spec.groups)
    }
    criteria = [
        Criterion(
            position=position,
            code=item.code,
            statement=item.statement,
            standard=standards[item.standard],
            group=groups[item.group] if item.group is not None else None,
        )
        for position, item in enumerate(spec.criteria)
    ]
    return Framework(
        slug=spec.slug,
        version=spec.version,
        title=spec.title,
        subject=spec.subject,
        phase=spec.phase,
        key_stage=spec.key_stage,
        description=spec.description,
        year_group_rows=[FrameworkYearGroup(year=year) for year in spec.year_groups],
        standards=list(standards.values()),
        criterion_groups=list(groups.values()),
        criteria=criteria,
    )


def framework_spec(framework: Framework) -> FrameworkSpec:
    return FrameworkSpec(
        slug=framework.slug,
        version=framework.version,
        title=framework.title,
        subject=framework.subject,
        phase=framework.phase,
        key_stage=framework.key_stage,
        year_groups=tuple(framework.year_groups),
        description=framework.description,
        standards=tuple(StandardSpec(s.code, s.label, s.description) for s in framework.standards),
        groups=tuple(GroupSpec(g.code, g.title) for g in framework.criterion_groups),
        criteria=tuple(
            CriterionSpec(c.code, c.standard.code, c.statement, c.group.code if c.group else None)
            for c in framework.criteria
        ),
    )


def export_framework(framework: Framework) -> str:
    return dump_framework(framework_spec(framework))


def find_framework(slug: str, version: int | None = None) -> Framework | None:
    """One version of a framework, or its latest version when ``version`` is None."""
    conditions = [Framework.slug == slug]
    if version is not None:
        conditions.append(Framework.version == version)
    return db.session.scalar(select(Framework).where(*conditions).order_by(Framework.version.desc()).limit(1))


def framework_versions(slug: str) -> list[Framework]:
    """Every version of a framework, newest first."""
    return list(db.session.scalars(select(Framework).where(Framework.slug == slug).order_by(Framework.version.desc())))


# Listing --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueEntry:
    latest: Framework
    older: list[Framework]  # newest first


@dataclass(frozen=True)
class CatalogueSection:
    phase: Phase
    key_stage: KeyStage | None
    entries: list[CatalogueEntry]

    @property
    def heading(self) -> str:
        return f"{self.phase.label}: {self.key_stage.label if self.key_stage else 'across key stages'}"


def framework_catalogue() -> list[CatalogueSection]:
    """Every framework, latest version first, in sections by the phase and key stage of its latest version."""
    frameworks = db.session.scalars(
        select(Framework)
        .options(selectinload(Framework.year_group_rows))
        .order_by(Framework.slug, Framework.version.desc())
    )
    entries = []
    for _slug, versions in groupby(frameworks, key=lambda framework: framework.slug):
        latest, *older = versions
        entries.append(CatalogueEntry(latest, older))
    entries.sort(key=_catalogue_order)
    return [
        CatalogueSection(phase, key_stage, list(section))
        for (phase, key_stage), section in groupby(entries, key=lambda e: (e.latest.phase, e.latest.key_stage))
    ]


def _catalogue_order(entry: CatalogueEntry) -> tuple[int, int, str, str]:
    phases, key_stages = list(Phase), list(KeyStage)
    framework = entry.latest
    # Frameworks that span key stages come after those of one key stage in the same phase.
    key_stage = key_stages.index(framework.key_stage) if framework.key_stage else len(key_stages)
    return phases.index(framework.phase), key_stage, framework.subject.lower(), framework.title.lower()


# Reading --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupedCriteria:
    group: CriterionGroup | None  # None: criteria outside any group
    criteria: list[Criterion]


@dataclass(frozen=True)
class StandardCriteria:
    standard: Standard
    groups: list[GroupedCriteria]  # in the framework's group order, ungrouped criteria last


def criteria_by_standard(framework: Framework) -> list[StandardCriteria]:
    """The criteria of each standard, lowest standard first, grouped (e.g. by assessment focus) where grouped."""
    group_order = {group.id: group.position for group in framework.criterion_groups}

    def order(criterion: Criterion) -> tuple[int, int]:
        rank = group_order[criterion.group_id] if criterion.group_id is not None else len(group_order)
        return rank, criterion.position

    return [
        StandardCriteria(
            standard,
            [
                GroupedCriteria(group, list(criteria))
                for group, criteria in groupby(sorted(standard.criteria, key=order), key=lambda c: c.group)
            ],
        )
        for standard in framework.standards
    ]


# Demo frameworks ------------------------------------------------------------------------------------


def demo_framework_files() -> list[Path]:
    return sorted(DEMO_DIRECTORY.glob("*.yaml"))


def import_demo_frameworks() -> list[ImportResult]:
    """Import the demo frameworks shipped with the app; running it again changes nothing."""
    results = []
    for path in demo_framework_files():
        try:
            results.append(import_framework_file(path.read_bytes()))
        except FrameworkFormatError as error:
            raise FrameworkFormatError([f"{path.name}: {message}" for message in error.messages]) from error
    return results
