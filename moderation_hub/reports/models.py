"""Computed report figures and charts, kept in the database so that every app process shares them (see ``cache``)."""

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from moderation_hub.db import Base, utcnow


class ReportFigures(Base):
    """What one report (or one of its charts) last computed, and the version of the data it was computed from.

    One row per report and chart: computing it again for a newer version replaces the row, so the table holds
    at most one copy of each and never grows with writes. ``payload`` is pickled; ``signature`` is its HMAC
    under the app's secret, checked before it is read, so a row written by anyone else is never unpickled.
    """

    __tablename__ = "report_figures"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)  # "round/12/framework/3/chart/schools"
    version: Mapped[str] = mapped_column(sa.String(64))  # SHA-256 (hex) of the data version and the code's
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary)
    signature: Mapped[str] = mapped_column(sa.String(64))  # HMAC-SHA-256 (hex) of key, version and payload
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
