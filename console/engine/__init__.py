"""Runs: state machine, executor, platform emulation, local scheduler, dev server, history."""

from console.devserver.supervisor import DevServer
from console.engine import _httpx_without_cli  # noqa: F401  (first: before anything imports httpx)
from console.engine.clock import Clock, FakeClock, SystemClock
from console.engine.engine import DevSupervisor, Engine, RunProgress
from console.engine.events import (
    DevServerChanged,
    DevState,
    Event,
    EventBus,
    FunctionsServerChanged,
    FunctionsState,
    LogLine,
    RunChanged,
    SchedulerChanged,
    SchedulerSkipped,
)
from console.engine.history import Attempt, RunStore, history_path
from console.engine.request import RunRequest
from console.engine.response import Response, last_response
from console.engine.scheduler import LocalScheduler

__all__ = [
    "Attempt",
    "Clock",
    "DevServer",
    "DevServerChanged",
    "DevState",
    "DevSupervisor",
    "Engine",
    "Event",
    "EventBus",
    "FakeClock",
    "FunctionsServerChanged",
    "FunctionsState",
    "LocalScheduler",
    "LogLine",
    "Response",
    "RunChanged",
    "RunProgress",
    "RunRequest",
    "RunStore",
    "SchedulerChanged",
    "SchedulerSkipped",
    "SystemClock",
    "history_path",
    "last_response",
]
