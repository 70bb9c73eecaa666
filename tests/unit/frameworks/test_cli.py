"""``flask frameworks import FILE`` and ``flask frameworks export SLUG [--version N] [-o FILE]``."""

from pathlib import Path

import yaml
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_framework_file
from tests.unit.frameworks.documents import VALID, broken


def run(app: Flask, *args: str):
    return app.test_cli_runner().invoke(args=["frameworks", *args])


def write(tmp_path: Path, text: str, name: str = "framework.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_stores_the_framework_and_says_so(app: Flask, session: Session, tmp_path: Path) -> None:
    result = run(app, "import", str(write(tmp_path, VALID)))

    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported KS2 writing (version 1).\n"
    assert session.scalar(select(Framework.title).where(Framework.slug == "ks2-writing")) == "KS2 writing"


def test_importing_again_is_a_no_op(app: Flask, session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    run(app, "import", str(path))

    result = run(app, "import", str(path))

    assert result.exit_code == 0, result.output
    assert "already imported; nothing changed" in result.stdout
    assert session.scalar(select(func.count()).select_from(Framework)) == 1


def test_a_malformed_file_prints_each_problem_and_fails(app: Flask, session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, broken("  - code: GDS\n", "  - code: 3\n").replace("phase: primary", "phase: junior"))

    result = run(app, "import", str(path))

    assert result.exit_code == 1
    assert f"{path}: line 5: phase: must be one of" in result.stderr
    assert f"{path}: line 14: standards[2].code: must be text" in result.stderr
    assert "nothing was imported: 2 problems" in result.stderr
    assert session.scalar(select(func.count()).select_from(Framework)) == 0


def test_a_changed_file_with_the_same_version_fails(app: Flask, session: Session, tmp_path: Path) -> None:
    run(app, "import", str(write(tmp_path, VALID)))

    result = run(app, "import", str(write(tmp_path, VALID.replace("KS2 writing", "KS2 writing, revised"))))

    assert result.exit_code == 1
    assert "change its version to 2" in result.stderr


def test_export_writes_the_latest_version_to_standard_output(app: Flask, session: Session) -> None:
    import_framework_file(VALID)
    import_framework_file(broken("version: 1", "version: 2"))

    result = run(app, "export", "ks2-writing")

    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.stdout) == {**yaml.safe_load(VALID), "version": 2}


def test_export_writes_a_chosen_version_to_a_file(app: Flask, session: Session, tmp_path: Path) -> None:
    import_framework_file(VALID)
    import_framework_file(broken("version: 1", "version: 2"))
    output = tmp_path / "out.yaml"

    result = run(app, "export", "ks2-writing", "--version", "1", "-o", str(output))

    assert result.exit_code == 0, result.output
    assert yaml.safe_load(output.read_text(encoding="utf-8")) == yaml.safe_load(VALID)


def test_export_of_a_missing_framework_fails(app: Flask, session: Session, tmp_path: Path) -> None:
    import_framework_file(VALID)
    output = tmp_path / "out.yaml"

    missing_version = run(app, "export", "ks2-writing", "--version", "7", "-o", str(output))
    missing_slug = run(app, "export", "no-such-framework")

    assert missing_version.exit_code == 1
    assert "there is no framework 'ks2-writing' version 7" in missing_version.stderr
    assert not output.exists()
    assert missing_slug.exit_code == 1
