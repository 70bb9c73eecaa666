"""Importing frameworks as versions, exporting them, and the shapes the pages read."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderation_hub.education import KeyStage, Phase
from moderation_hub.frameworks import services
from moderation_hub.frameworks.models import Criterion, Framework
from moderation_hub.frameworks.services import (
    criteria_by_standard,
    demo_framework_files,
    export_framework,
    find_framework,
    framework_catalogue,
    framework_spec,
    framework_versions,
    import_demo_frameworks,
    import_framework,
    import_framework_file,
)
from moderation_hub.frameworks.yaml_format import FrameworkFormatError, parse_framework
from tests.unit.frameworks.documents import VALID, broken

DEMO_FILES = demo_framework_files()


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_import_stores_the_scale_in_order_and_criteria_on_their_standards(session: Session) -> None:
    result = import_framework_file(VALID)

    framework = result.framework
    assert result.created
    assert framework.id is not None
    assert [standard.code for standard in framework.standards] == ["WTS", "EXS", "GDS"]
    assert [standard.position for standard in framework.standards] == [0, 1, 2]
    assert framework.year_groups == [5, 6]
    exs = session.scalar(select(Criterion).where(Criterion.code == "EXS.1"))
    assert exs is not None
    assert (exs.standard.code, exs.group.code if exs.group else None) == ("EXS", "AF1")


def test_importing_the_same_version_again_changes_nothing(session: Session) -> None:
    first = import_framework_file(VALID)

    again = import_framework_file(VALID)

    assert not again.created
    assert again.framework.id == first.framework.id
    assert count(session, Framework) == 1
    assert again.summary == "KS2 writing (version 1) was already imported; nothing changed."


def test_the_same_version_with_different_content_must_be_bumped(session: Session) -> None:
    import_framework_file(VALID)
    import_framework_file(broken("version: 1", "version: 2"))

    with pytest.raises(FrameworkFormatError) as raised:
        import_framework_file(broken("title: KS2 writing", "title: KS2 writing, revised"))

    assert raised.value.messages == [
        "version: ks2-writing version 1 already exists with different content; "
        "to import this file, change its version to 3"
    ]
    assert find_framework("ks2-writing", 1).title == "KS2 writing"  # type: ignore[union-attr]
    assert count(session, Framework) == 2


def test_a_new_version_is_kept_beside_the_old_one(session: Session) -> None:
    import_framework_file(VALID)
    import_framework_file(broken("version: 1", "version: 2").replace("KS2 writing", "KS2 writing, revised"))

    latest = find_framework("ks2-writing")

    assert latest is not None
    assert (latest.version, latest.title) == (2, "KS2 writing, revised")
    assert find_framework("ks2-writing", 1).title == "KS2 writing"  # type: ignore[union-attr]
    assert [framework.version for framework in framework_versions("ks2-writing")] == [2, 1]
    assert find_framework("ks2-writing", 3) is None
    assert find_framework("no-such-framework") is None


def test_an_export_imports_back_to_the_same_framework(session: Session) -> None:
    framework = import_framework_file(VALID).framework

    exported = export_framework(framework)

    assert parse_framework(exported) == parse_framework(VALID) == framework_spec(framework)


@pytest.mark.parametrize("path", DEMO_FILES, ids=[path.stem for path in DEMO_FILES])
def test_each_demo_framework_round_trips(session: Session, path: Path) -> None:
    original = parse_framework(path.read_bytes())

    exported = export_framework(import_framework_file(path.read_bytes()).framework)

    assert parse_framework(exported) == original


@pytest.mark.parametrize("path", DEMO_FILES, ids=[path.stem for path in DEMO_FILES])
def test_each_demo_framework_has_a_scale_and_realistic_criteria(path: Path) -> None:
    spec = parse_framework(path.read_bytes())

    assert len(spec.standards) >= 2
    assert 8 <= len(spec.criteria) <= 20
    assert all("pupil" in criterion.statement and criterion.statement.endswith(".") for criterion in spec.criteria)


def test_the_demo_frameworks_cover_the_scales_teachers_use(session: Session) -> None:
    import_demo_frameworks()

    scales = {framework.slug: [s.code for s in framework.standards] for framework in session.scalars(select(Framework))}

    assert scales["ks1-writing-ta"] == ["PKF", "WTS", "EXS", "GDS"]
    assert scales["ks2-writing-ta"][-4:] == ["PK6", "WTS", "EXS", "GDS"]
    assert scales["ks2-maths-ta"] == ["HNM", "EXS"]
    assert scales["ks3-writing-steps"] == ["b", "b+", "w", "w+", "s", "s+"]
    assert scales["app-writing"][0] == "1c"
    assert scales["app-writing"][-1] == "5a"


def test_importing_the_demo_frameworks_twice_changes_nothing(session: Session) -> None:
    first = import_demo_frameworks()

    second = import_demo_frameworks()

    assert len(first) == 5
    assert all(result.created for result in first)
    assert not any(result.created for result in second)
    assert count(session, Framework) == 5


def test_the_catalogue_groups_latest_versions_by_phase_and_key_stage(session: Session) -> None:
    import_demo_frameworks()
    import_framework_file(broken("version: 1", "version: 2"))
    import_framework_file(VALID)

    sections = framework_catalogue()

    headings = [section.heading for section in sections]
    assert headings == [
        "Primary: Key stage 1",
        "Primary: Key stage 2",
        "Primary: across key stages",
        "Secondary: Key stage 3",
    ]
    assert (sections[1].phase, sections[1].key_stage) == (Phase.PRIMARY, KeyStage.KS2)
    key_stage_2 = {entry.latest.slug: entry for entry in sections[1].entries}
    assert key_stage_2["ks2-writing"].latest.version == 2
    assert [older.version for older in key_stage_2["ks2-writing"].older] == [1]
    assert key_stage_2["ks2-maths-ta"].older == []


def test_an_empty_catalogue_has_no_sections(session: Session) -> None:
    assert framework_catalogue() == []


def test_criteria_are_grouped_by_standard_then_by_group(session: Session) -> None:
    document = broken("    group: AF1\n", "") + (
        "  - code: EXS.2\n    standard: EXS\n    group: AF2\n    statement: The pupil can use paragraphs.\n"
        "  - code: EXS.3\n    standard: EXS\n    group: AF1\n    statement: The pupil can adapt their tone.\n"
    )
    document = document.replace(
        "    title: Purpose and audience\n", "    title: Purpose and audience\n  - code: AF2\n    title: Paragraphs\n"
    )
    framework = import_framework_file(document).framework

    by_standard = criteria_by_standard(framework)

    assert [item.standard.code for item in by_standard] == ["WTS", "EXS", "GDS"]
    assert by_standard[0].groups == []
    exs = [
        (grouped.group.code if grouped.group else None, [c.code for c in grouped.criteria])
        for grouped in by_standard[1].groups
    ]
    assert exs == [("AF1", ["EXS.3"]), ("AF2", ["EXS.2"]), (None, ["EXS.1"])]
    assert [c.code for grouped in by_standard[2].groups for c in grouped.criteria] == ["GDS.1"]


def test_losing_an_import_race_is_a_clear_error_not_a_crash(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another server imported the same slug and version between our check and our insert."""
    spec = parse_framework(VALID)
    import_framework(spec)
    monkeypatch.setattr(services, "find_framework", lambda slug, version=None: None)
    with pytest.raises(FrameworkFormatError, match="imported by someone else at the same moment"):
        import_framework(spec)
    assert count(session, Framework) == 1
