"""What the dev server supervisor tells its owner: its state, and the one-way publisher it uses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


class DevState(StrEnum):
    STOPPED = "stopped"
    STARTING = "starting"
    READY = "ready"
    ATTACHED = "attached"  # something else already answers at the dev URL
    CRASHED = "crashed"
    FAILED = "failed"


@dataclass(frozen=True)
class DevServerChanged:
    state: DevState
    detail: str
    exit_code: int | None = None
    # Attached to a server that is not this project's (Linux tells which process and folder).
    warning: str | None = None


class Publisher(Protocol):
    """Where state changes go (the engine's EventBus satisfies it)."""

    def publish(self, event: DevServerChanged) -> None: ...
