"""What a route answered, as lines fit to show: the `trigger` command and the run detail screen.

The body comes from the server (untrusted): decoded leniently, control sequences stripped, each
line cut. JSON is shown indented, as a person reads it; anything else as it came.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from console.devserver.sanitize import decode_line, sanitize_line
from console.engine.history import Attempt

__all__ = ["Response", "last_response"]


@dataclass(frozen=True)
class Response:
    """The body of the last attempt that got an answer, with its size as sent."""

    attempt: int
    status: int | None
    content_type: str
    body: bytes  # at most the history's BODY_LIMIT bytes
    size: int  # bytes the server sent

    @property
    def truncated(self) -> bool:
        return self.size > len(self.body)

    @property
    def text(self) -> str:
        """The body decoded (lenient UTF-8), raw: for JSON output, not for a terminal."""
        return decode_line(self.body)

    def lines(self, limit: int | None = None) -> list[str]:
        """The body as clean lines (JSON indented), at most `limit` of them."""
        text = self.text
        if "json" in self.content_type.lower() or text.lstrip()[:1] in ("{", "["):
            # Cut at the history's limit, or not JSON after all: shown as it came.
            with contextlib.suppress(ValueError, RecursionError):
                text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
        raw = text.splitlines()
        if limit is not None:
            raw = raw[:limit]
        return [sanitize_line(line) for line in raw]

    def summary(self) -> str:
        """`HTTP 200 · 1,204 bytes` (`· first 65,536 kept` when the history cut it)."""
        head = f"HTTP {self.status}" if self.status is not None else "no status"
        words = f"{head} · {self.size:,} bytes"
        if self.truncated:
            words += f" · first {len(self.body):,} kept"
        return words


def last_response(attempts: Sequence[Attempt]) -> Response | None:
    """The newest attempt that got an answer (a retried run's last word), or None."""
    for a in reversed(attempts):
        if a.http_status is not None:
            content_type = next((v for k, v in a.headers if k.lower() == "content-type"), "")
            return Response(a.n, a.http_status, content_type, a.body, a.body_size)
    return None
