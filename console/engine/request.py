"""What the caller asks for when it triggers a route, beyond the route and the target."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RunRequest:
    method: str | None = None  # default by kind: api GET, background POST, scheduled POST
    body: bytes | None = None
    content_type: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)  # dynamic segments
    query: tuple[tuple[str, str], ...] = ()
    confirmed: bool = False  # required for production targets, else the run is refused
    force: bool = False  # send a scheduled route to a deployed target anyway
    retries: bool = True
    insecure: bool = False

    def to_json(self) -> dict[str, Any]:
        """Stored with the run so it can be sent again; holds no expanded secret."""
        return {
            "method": self.method,
            "body": None if self.body is None else base64.b64encode(self.body).decode("ascii"),
            "content_type": self.content_type,
            "params": dict(self.params),
            "query": [list(q) for q in self.query],
            "force": self.force,
            "retries": self.retries,
            "insecure": self.insecure,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunRequest:
        body = data.get("body")
        return cls(
            method=data.get("method"),
            body=None if body is None else base64.b64decode(body),
            content_type=data.get("content_type"),
            params=dict(data.get("params") or {}),
            query=tuple((str(k), str(v)) for k, v in data.get("query") or ()),
            force=bool(data.get("force")),
            retries=bool(data.get("retries", True)),
            insecure=bool(data.get("insecure")),
        )

    def dumps(self) -> str:
        return json.dumps(self.to_json(), separators=(",", ":"))
