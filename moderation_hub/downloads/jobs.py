"""The worker's side of prepared downloads: building one, recording its failure, and the hourly sweep."""

import logging

from moderation_hub.downloads import services
from moderation_hub.jobs import job, periodic_job

logger = logging.getLogger(__name__)


# One retry: a store or database out of reach for a moment should not fail a download someone waits for.
@job(retries=1, on_failure=services.record_failure)
def build_download(download_id: int) -> None:
    services.build(download_id)


# Hourly, and exclusive: two workers' runs would only find the same files, but need not both delete them.
@periodic_job(minutes=60, exclusive=True)
def delete_expired_downloads() -> None:
    deleted = services.delete_expired()
    if deleted:
        logger.info("expired downloads deleted", extra={"downloads": deleted})
