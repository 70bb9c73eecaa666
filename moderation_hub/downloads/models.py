"""A prepared download: one file someone asked for, built by the worker and kept in storage until it expires."""

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from moderation_hub.db import Base, created_at, int_pk, short_text
from moderation_hub.education import enum_column


class DownloadState(enum.StrEnum):
    QUEUED = "queued"  # waiting for a worker
    BUILDING = "building"  # a worker is writing it: ``done`` of ``total`` steps so far
    READY = "ready"  # in storage under ``storage_key``
    FAILED = "failed"  # ``failure`` says why, in words for the person who asked

    @property
    def label(self) -> str:
        return {"queued": "Waiting", "building": "Being prepared", "ready": "Ready", "failed": "Failed"}[self.value]

    @property
    def colour(self) -> str:
        """The GOV.UK tag's colour: the words say the state, the colour only repeats it."""
        return {"queued": "grey", "building": "blue", "ready": "green", "failed": "red"}[self.value]

    @property
    def finished(self) -> bool:
        return self in (DownloadState.READY, DownloadState.FAILED)


class PreparedDownload(Base):
    """One person's request for a file of a kind (``downloads.kinds``) with its arguments, and the file once built.

    Two people asking for the same file of the same version of the data share one stored object: each has a row of
    their own naming the same ``storage_key``, and the object is deleted with the last row naming it.
    """

    __tablename__ = "prepared_download"
    __table_args__ = (
        sa.Index("ix_prepared_download_reuse", "kind", "data_version"),
        sa.Index("ix_prepared_download_requester", "requested_by_id", "created_at"),
        sa.CheckConstraint("done >= 0 AND (total IS NULL OR done <= total)", name="progress_in_range"),
    )

    id: Mapped[int_pk]
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))  # a key of ``kinds.KINDS``
    arguments: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)  # as the kind parsed them: ids
    title: Mapped[short_text]  # what the person asked for, in their list: "Agreement report: Year 6 writing (PDF)"
    data_version: Mapped[str | None] = mapped_column(sa.String(64))  # the kind's version of the data it was made from
    state: Mapped[DownloadState] = mapped_column(enum_column(DownloadState), default=DownloadState.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]  # None until the builder knows how many steps there are
    storage_key: Mapped[str | None] = mapped_column(sa.String(32), index=True)
    byte_size: Mapped[int | None]
    failure: Mapped[str] = mapped_column(sa.String(300), default="")  # shown to the person; never a typed value
    created_at: Mapped[created_at]
    ready_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
