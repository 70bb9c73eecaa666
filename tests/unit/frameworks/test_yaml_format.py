"""Reading and writing framework files: every problem names its line and field, and nothing is stored."""

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderation_hub.education import KeyStage, Phase
from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_framework_file
from moderation_hub.frameworks.spec import CriterionSpec, StandardSpec
from moderation_hub.frameworks.yaml_format import FrameworkFormatError, dump_framework, parse_framework
from tests.unit.frameworks.documents import VALID, broken

LONG_LABEL = "x" * 201

ERROR_CASES = {
    "code not text": (
        broken("  - code: GDS\n", "  - code: 3\n"),
        'line 14: standards[2].code: must be text, not a number (put it in quotes: "3")',
    ),
    "unknown field in a standard": (
        broken("    label: Working at greater depth\n", "    label: Working at greater depth\n    colour: gold\n"),
        "line 16: standards[2].colour: unknown field",
    ),
    "misspelt field": (
        broken("    statement: The pupil can write", "    statment: The pupil can write"),
        "line 23: criteria[0].statment: unknown field; did you mean 'statement'?",
    ),
    "unknown top-level field": (VALID + "colour: red\n", "line 27: colour: unknown field"),
    "field given twice": (
        broken("title: KS2 writing\n", "title: KS2 writing\ntitle: Again\n"),
        "line 4: title: appears twice",
    ),
    "duplicate standard code": (
        broken("  - code: GDS\n", "  - code: WTS\n"),
        "line 14: standards[2].code: 'WTS' is already used by standards[0]",
    ),
    "duplicate group code": (
        broken(
            "    title: Purpose and audience\n", "    title: Purpose and audience\n  - code: AF1\n    title: Again\n"
        ),
        "line 19: groups[1].code: 'AF1' is already used by groups[0]",
    ),
    "duplicate criterion code": (
        broken("  - code: GDS.1\n", "  - code: EXS.1\n"),
        "line 24: criteria[1].code: 'EXS.1' is already used by criteria[0]",
    ),
    "criterion of a missing standard": (
        broken("    standard: GDS\n", "    standard: XYZ\n"),
        "line 25: criteria[1].standard: no standard has the code 'XYZ' (the codes are WTS, EXS, GDS)",
    ),
    "criterion in a missing group": (
        broken("    group: AF1\n", "    group: AF9\n"),
        "line 22: criteria[0].group: no group has the code 'AF9' (the codes are AF1)",
    ),
    "year group above 13": (
        broken("[5, 6]", "[5, 14]"),
        "line 7: year_groups[1]: must be a year group from 0 (Reception) to 13, not 14",
    ),
    "negative year group": (broken("[5, 6]", "[-1, 5]"), "line 7: year_groups[0]: must be a year group from 0"),
    "year group as text": (
        broken("[5, 6]", "[5, six]"),
        "line 7: year_groups[1]: must be a year group number, not text",
    ),
    "year group outside the key stage": (
        broken("[5, 6]", "[6, 7]"),
        "line 7: year_groups[1]: year 7 is not in KS2 (years 3, 4, 5, 6)",
    ),
    "year group twice": (broken("[5, 6]", "[5, 5]"), "line 7: year_groups[1]: year 5 is listed twice"),
    "unknown key stage": (
        broken("key_stage: KS2", "key_stage: KS9"),
        "line 6: key_stage: must be one of EYFS, KS1, KS2, KS3, KS4, KS5, not 'KS9'",
    ),
    "unknown phase": (
        broken("phase: primary", "phase: junior"),
        "line 5: phase: must be one of early_years, primary, secondary, post_16, not 'junior'",
    ),
    "empty scale": (
        "slug: empty\nversion: 1\ntitle: Empty\nsubject: Writing\nphase: primary\nyear_groups: [6]\nstandards: []\n",
        "line 7: standards: needs at least one standard",
    ),
    "scalar instead of a list": (
        broken("year_groups: [5, 6]", "year_groups: 6"),
        'line 7: year_groups: must be a list (one "- " item per line, or [a, b]), not a number',
    ),
    "text instead of a list of standards": (
        "slug: a\nversion: 1\ntitle: A\nsubject: Writing\nphase: primary\nyear_groups: [6]\nstandards: WTS, EXS\n",
        "line 7: standards: must be a list",
    ),
    "text instead of a standard": (
        broken("  - code: WTS\n    label: Working towards the expected standard\n", "  - WTS\n  -\n"),
        "line 10: standards[0]: must be a set of fields (name: value), not text",
    ),
    "missing field": (broken("title: KS2 writing\n", ""), "line 1: title: is required"),
    "missing field in a criterion": (
        broken("    statement: The pupil can shift between formal and informal language.\n", ""),
        "line 24: criteria[1].statement: is required",
    ),
    "empty field": (broken("title: KS2 writing", "title:"), "line 3: title: must not be empty"),
    "blank text": (broken("title: KS2 writing", 'title: "  "'), "line 3: title: must not be empty"),
    "text too long": (
        broken("label: Working towards the expected standard", f"label: {LONG_LABEL}"),
        "line 11: standards[0].label: must be at most 200 characters (it has 201)",
    ),
    "version as text": (broken("version: 1", 'version: "1"'), "line 2: version: must be a whole number, not text"),
    "version zero": (broken("version: 1", "version: 0"), "line 2: version: must be a whole number from 1 to 9999"),
    "slug with capitals and spaces": (
        broken("slug: ks2-writing", "slug: KS2 writing"),
        "line 1: slug: must be lower-case letters, digits and hyphens",
    ),
    "reserved slug": (broken("slug: ks2-writing", "slug: import"), "line 1: slug: 'import' is reserved"),
    "invalid YAML": (
        broken("    label: Working at the expected standard", "    label: Working at: the expected standard"),
        "line 13: not valid YAML: mapping values are not allowed here",
    ),
    "unclosed bracket": (broken("[5, 6]", "[5, 6"), "line 8: not valid YAML"),
    "tab indentation": (broken("  - code: EXS\n", "\t- code: EXS\n"), "line 12: not valid YAML"),
    "aliases": (
        broken("    group: AF1\n", "    group: &focus AF1\n") + "extra: *focus\n",
        "line 27: not valid YAML: aliases (*focus) are not allowed",
    ),
    "a list instead of a document": (
        "- slug: a\n",
        "line 1: the file: must be a set of fields (name: value), not a list",
    ),
    "an empty file": ("", "line 1: the file is empty"),
    "two documents": (VALID + "---\nslug: other\n", "line 27: not valid YAML"),
    "a control character": (broken("title: KS2 writing", "title: KS2\x07writing"), "line 3: not valid YAML"),
}


def framework_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Framework)) or 0


@pytest.mark.parametrize(("document", "expected"), ERROR_CASES.values(), ids=ERROR_CASES.keys())
def test_a_malformed_file_names_the_line_and_field_and_stores_nothing(
    session: Session, document: str, expected: str
) -> None:
    with pytest.raises(FrameworkFormatError) as raised:
        import_framework_file(document)

    assert any(message.startswith(expected) for message in raised.value.messages), raised.value.messages
    assert framework_count(session) == 0


def test_a_file_that_is_not_utf8_is_refused_plainly() -> None:
    with pytest.raises(FrameworkFormatError) as raised:
        parse_framework("title: Écriture\n".encode("latin-1"))

    assert raised.value.messages == ["the file is not UTF-8 text: save it as UTF-8 and try again"]


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    document = broken("phase: primary", "phase: junior")
    document = document.replace("  - code: GDS\n", "  - code: 3\n").replace("[5, 6]", "[5, 14]")

    with pytest.raises(FrameworkFormatError) as raised:
        parse_framework(document)

    lines = [message.split(":")[0] for message in raised.value.messages]
    assert lines[:3] == ["line 5", "line 7", "line 14"]
    assert str(raised.value) == "\n".join(raised.value.messages)


def test_a_valid_file_is_read_into_plain_data() -> None:
    spec = parse_framework(VALID)

    assert (spec.slug, spec.version, spec.phase, spec.key_stage) == ("ks2-writing", 1, Phase.PRIMARY, KeyStage.KS2)
    assert spec.year_groups == (5, 6)
    assert [standard.code for standard in spec.standards] == ["WTS", "EXS", "GDS"]
    assert spec.standards[0] == StandardSpec("WTS", "Working towards the expected standard")
    assert spec.criteria[1] == CriterionSpec(
        "GDS.1", "GDS", "The pupil can shift between formal and informal language."
    )


def test_optional_fields_may_be_left_out_or_empty() -> None:
    document = "\n".join(VALID.splitlines()[:15]).replace("key_stage: KS2", "key_stage:") + "\ngroups: []\n"

    spec = parse_framework(document)

    assert (spec.key_stage, spec.groups, spec.criteria) == (None, (), ())


def test_text_is_stripped_and_year_groups_sorted() -> None:
    document = broken("[5, 6]", "[6, 5]").replace(
        "description: A framework for the tests.", "description: |\n  A framework\n  for the tests.\n"
    )

    spec = parse_framework(document)

    assert spec.year_groups == (5, 6)
    assert spec.description == "A framework\nfor the tests."


def test_a_written_file_reads_back_as_the_same_data() -> None:
    written = dump_framework(parse_framework(VALID))

    assert yaml.safe_load(written) == yaml.safe_load(VALID)
    assert parse_framework(written) == parse_framework(VALID)


def test_multi_line_text_is_written_as_a_block() -> None:
    spec = parse_framework(VALID.replace("description: A framework for the tests.", "description: |\n  One.\n  Two."))

    written = dump_framework(spec)

    assert "description: |-\n  One.\n  Two.\n" in written
    assert parse_framework(written) == spec
