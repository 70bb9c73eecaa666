"""Moderation Hub: blind cross-school moderation, agreement statistics and a shared standards file.

``create_app`` lives in ``moderation_hub.app`` and is imported from here only when asked for, so that
importing one module of the package (the sandbox's forkserver imports ``ingestion``) does not load the
whole web application: Flask, every blueprint, the charting and PDF libraries.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from moderation_hub.app import create_app  # noqa: PLC0415 - the point of this module

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
