"""Keep secrets out of everything the console writes: history, events, output.

A `${VAR}` header value is expanded only when a request is sent, but what comes back may hold
it again: a dev server that prints the headers it got, a preview that echoes them (httpbin's
/headers does), an error that quotes the request. The values the targets' headers would send
are known up front; every line, reason and stored response goes through `Redactor` first.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

from console.model import Target
from console.settings import REDACTED, has_reference, redact, referenced_variables
from console.sites import url_secrets

MIN_SECRET_CHARS = 4  # shorter values are not credentials, and hiding them would shred logs


def secret_values(
    targets: Iterable[Target], env: Mapping[str, str] | None = None
) -> frozenset[str]:
    """What the targets would send that must never be shown: the values of the variables their
    headers reference, literal values of credential headers (Authorization, ...), and the
    credentials in their URLs (`user:pass@`, in every form: see `sites.url_secrets`)."""
    env = os.environ if env is None else env
    found: set[str] = set()
    for target in targets:
        found.update(url_secrets(target.url))
        for name, value in target.headers:
            if has_reference(value):
                found.update(env[v] for v in referenced_variables(value) if v in env)
            elif redact(name, value) != value:
                found.add(value)
    return frozenset(v for v in found if len(v) >= MIN_SECRET_CHARS)


class Redactor:
    """Replaces each known secret with `***` in text and bytes; a no-op when there is none."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: frozenset[str] = frozenset()
        self._text: re.Pattern[str] | None = None
        self._bytes: re.Pattern[bytes] | None = None
        self.learn(secrets)

    def learn(self, secrets: Iterable[str]) -> None:
        """Hide these too from now on (a `--url` that carries its own credentials)."""
        new = {v for v in secrets if len(v) >= MIN_SECRET_CHARS} - self._values
        if not new:
            return
        self._values |= new
        values = sorted(self._values, key=len, reverse=True)  # longest first: no partial leaks
        self._text = re.compile("|".join(map(re.escape, values)))
        self._bytes = re.compile(b"|".join(re.escape(v.encode("utf-8", "replace")) for v in values))

    def __bool__(self) -> bool:
        return self._text is not None

    def text(self, s: str) -> str:
        return s if self._text is None else self._text.sub(REDACTED, s)

    def data(self, b: bytes) -> bytes:
        return b if self._bytes is None else self._bytes.sub(REDACTED.encode(), b)
