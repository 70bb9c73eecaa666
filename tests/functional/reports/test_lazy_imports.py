"""The charting and PDF libraries load only where a report draws a chart or writes a file, never with the app."""

import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]
REPORT_LIBRARIES = ("altair", "vl_convert", "reportlab")


def _loaded_after(tmp_path: Path, statements: str) -> list[str]:
    """Which report libraries a fresh interpreter holds after ``statements``: this one has imported them already."""
    settings = {
        "ENVIRONMENT": "testing",
        "SECRET_KEY": "imports-test",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'imports.sqlite3'}",
        "REDIS_URL": None,
    }
    script = "\n".join(
        [
            "import sys",
            "from moderation_hub import create_app",
            f"create_app({settings!r})",
            statements,
            f"print(','.join(name for name in {REPORT_LIBRARIES!r} if name in sys.modules))",
        ]
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, running the script above
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    return [name for name in result.stdout.strip().split(",") if name]


def test_creating_the_app_does_not_import_the_charting_and_pdf_libraries(tmp_path: Path) -> None:
    assert _loaded_after(tmp_path, "") == []


def test_the_chart_and_download_modules_load_them(tmp_path: Path) -> None:
    """The check above names the right modules: the ones that drawing and writing bring in."""
    assert _loaded_after(tmp_path, "from moderation_hub.reports import charts, downloads") == list(REPORT_LIBRARIES)
