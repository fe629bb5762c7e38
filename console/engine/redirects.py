"""Where a run's request may go: its first address, and every redirect after it.

A dev server with a redirect rule, or a preview that answers `307 Location: <production>`,
must not turn a local run (or every scheduler fire) into a request to production. So:

- no request goes to a production site unless the run's target is that production target
  (the first address is checked before the run starts; a redirect there is `refused`);
- a redirect within the same origin is followed (bounded by the executor);
- a redirect to another origin ends the run with its `Location` recorded, unless the target
  opts in with `follow_redirects = true` in console.toml (its headers stay home either way).

Sites, not strings (console/sites.py): a redirect to `http://2130706434` is production at
`http://127.0.0.2` all the same. Hosts are read from httpx's parse of the URL, which is what
the request would connect to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from console.model import Target, TargetKind
from console.sites import Site, canonical_host, public_url, site, site_of


@dataclass(frozen=True)
class RedirectStop:
    """A redirect the console did not follow: the run ends on it."""

    location: str  # as it may be shown: credentials redacted
    refused: bool  # True: it led to production (run state `refused`), else only not followed
    reason: str


def url_site(url: httpx.URL) -> Site:
    return site(url.host, url.port)


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    scheme = url.scheme.lower()
    return scheme, canonical_host(url.host), url.port or (443 if scheme == "https" else 80)


def _shown(url: httpx.URL | str) -> str:
    return public_url(str(url))


@dataclass(frozen=True)
class SendGuard:
    """The rule for one run: its target, and the production targets it must not reach."""

    target: Target
    production: tuple[Target, ...]

    @classmethod
    def for_run(cls, target: Target, targets: Iterable[Target]) -> SendGuard:
        return cls(target, tuple(t for t in targets if t.kind is TargetKind.PRODUCTION))

    def _production_at(self, where: Site) -> Target | None:
        """The production target on this site that the run has not been confirmed for."""
        own = self.target.kind is TargetKind.PRODUCTION and site_of(self.target.url) == where
        if own:
            return None
        return next((p for p in self.production if site_of(p.url) == where), None)

    def refusal(self, url: str) -> str | None:
        """Why the run's first request may not go to `url` (a production site), or None."""
        try:
            where = url_site(httpx.URL(url))
        except httpx.InvalidURL:
            where = site_of(url)
        p = self._production_at(where)
        if p is None:
            return None
        return (
            f"{_shown(url)} is the same site as the production target {p.name!r} "
            f"({_shown(p.url)}), but the run is for the {self.target.kind} target "
            f"{self.target.name!r}: choose the production target to send it there"
        )

    def redirect(self, source: httpx.URL, location: httpx.URL, status: int) -> RedirectStop | None:
        """None to follow the redirect from `source` to `location`, else why the run stops."""
        shown = _shown(location)
        p = self._production_at(url_site(location))
        if p is not None:
            return RedirectStop(
                shown,
                True,
                f"{_shown(source)} answered {status} redirecting to {shown}, which is the "
                f"production target {p.name!r} ({_shown(p.url)}): not followed, a redirect "
                "never takes a request to production",
            )
        if _origin(source) == _origin(location) or self.target.follow_redirects:
            return None
        return RedirectStop(
            shown,
            False,
            f"{_shown(source)} answered {status} redirecting to {shown}, another origin: not "
            "followed (set follow_redirects = true on the target in console.toml to follow "
            "redirects to other origins)",
        )
