"""The fault suite's figures: what it tried and what survived, counted by the tests themselves.

Each test adds what it did (`inputs`, `runs_held`, `runs_lost`); conftest.py counts the fault
cases that passed and, at the end of the session, writes everything to `fault-figures.json` in
pytest's base temporary folder and prints it. docs/reliability.md quotes one such run.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Figures:
    faults_survived: int = 0  # fault test cases that passed
    faults_failed: int = 0
    inputs_tried: int = 0  # hostile files, lines, responses and examples fed to the console
    runs_held: int = 0  # runs found in a history after a crash or a concurrent load
    runs_lost: int = 0  # runs expected in a history and not found there: must stay 0
    by_area: dict[str, int] = field(default_factory=dict)  # inputs per area
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def inputs(self, area: str, n: int = 1) -> None:
        with self._lock:
            self.inputs_tried += n
            self.by_area[area] = self.by_area.get(area, 0) + n

    def runs(self, held: int, lost: int) -> None:
        with self._lock:
            self.runs_held += held
            self.runs_lost += lost

    def as_json(self) -> dict[str, object]:
        return {
            "faults_survived": self.faults_survived,
            "faults_failed": self.faults_failed,
            "inputs_tried": self.inputs_tried,
            "runs_held": self.runs_held,
            "runs_lost": self.runs_lost,
            "inputs_by_area": dict(sorted(self.by_area.items())),
        }

    def write(self, folder: Path) -> Path:
        path = folder / "fault-figures.json"
        path.write_text(json.dumps(self.as_json(), indent=2, sort_keys=True) + "\n")
        return path


FIGURES = Figures()
