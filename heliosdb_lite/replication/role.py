"""What this server is: a primary, a hot standby, or a fenced (deposed) primary, and its epoch.

Sessions read `session_parameters()` at start-up and again before each ReadyForQuery when
`version` has changed, so clients learn a promotion or a degradation by ParameterStatus, as
libpq's target_session_attrs expects (in_hot_standby, default_transaction_read_only).
"""

from __future__ import annotations

import enum

from heliosdb_lite.engine.settings import PRIMARY_HOST_SETTING

EPOCH_PARAMETER = "heliosdb.epoch"
REPLICATION_PARAMETER = "heliosdb.replication"


class Role(enum.Enum):
    PRIMARY = "primary"
    STANDBY = "standby"
    FENCED = "fenced"  # a primary that learned of a newer epoch: never writes or acknowledges again


class ServerRole:
    """Shared by the sessions and the replication machinery (event loop thread)."""

    def __init__(self, role: Role, epoch: int, primary_host: str | None) -> None:
        self.role = role
        self.epoch = epoch
        self.primary_host = primary_host
        self.replication_state = ""
        self.version = 0

    @property
    def read_only(self) -> bool:
        return self.role is not Role.PRIMARY

    def change(self, role: Role, *, epoch: int | None = None, primary_host: str | None = None) -> None:
        self.role = role
        if epoch is not None:
            self.epoch = max(self.epoch, epoch)
        self.primary_host = primary_host
        self.version += 1

    def set_replication_state(self, state: str) -> None:
        if state != self.replication_state:
            self.replication_state = state
            self.version += 1

    def session_parameters(self) -> dict[str, str]:
        """Settings every session of this server starts with (and is updated to)."""
        parameters = {
            "in_hot_standby": "on" if self.role is Role.STANDBY else "off",
            "default_transaction_read_only": "on" if self.read_only else "off",
            EPOCH_PARAMETER: str(self.epoch),
            REPLICATION_PARAMETER: self.replication_state or self.role.value,
            PRIMARY_HOST_SETTING: self.primary_host or "",
        }
        return parameters
