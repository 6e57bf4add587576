"""Periodic store checkpoints for an embedded database, as the server runs them (every
`CHECKPOINT_INTERVAL_SECONDS`; `CommitService.checkpoint` waits for the journal first, so the
store is never durable ahead of it). One daemon thread, stopped by `stop()`."""

from __future__ import annotations

import logging
import threading

from heliosdb_lite.replay.commit import CommitService
from heliosdb_lite.server.app import CHECKPOINT_INTERVAL_SECONDS

log = logging.getLogger("heliosdb.api")


class Checkpointer:
    """Checkpoints `service` every interval until stopped."""

    def __init__(self, service: CommitService, retention_hours: int,
                 interval: float = CHECKPOINT_INTERVAL_SECONDS) -> None:
        self._service = service
        self._retention_hours = retention_hours
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heliosdb-checkpoint", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            try:
                self._service.checkpoint(retention_hours=self._retention_hours)
            except Exception:
                log.exception("checkpoint failed; will retry")

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
