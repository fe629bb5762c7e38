"""The redirect rule on its own: which hop is followed, stopped or refused (no network)."""

from __future__ import annotations

import httpx
import pytest

from console.engine.redirects import SendGuard
from console.model import Target, TargetKind

PROD = Target("production", TargetKind.PRODUCTION, "https://acme.netlify.app")
SHOP = Target("shop", TargetKind.PRODUCTION, "https://shop.example")
PREVIEW = Target("preview", TargetKind.PREVIEW, "https://deploy-preview-1--acme.netlify.app")
LOCAL = Target("local", TargetKind.LOCAL, "http://127.0.0.1:3000")
TARGETS = (LOCAL, PREVIEW, PROD, SHOP)


def replace_follow(target: Target) -> Target:
    from dataclasses import replace

    return replace(target, follow_redirects=True)


def decide(target: Target, source: str, location: str) -> str:
    stop = SendGuard.for_run(target, TARGETS).redirect(httpx.URL(source), httpx.URL(location), 307)
    return "follow" if stop is None else ("refuse" if stop.refused else "stop")


@pytest.mark.parametrize(
    ("target", "source", "location", "want"),
    [
        (LOCAL, "http://127.0.0.1:3000/a", "http://127.0.0.1:3000/b", "follow"),
        (LOCAL, "http://127.0.0.1:3000/a", "http://2130706433:3000/b", "follow"),  # same origin
        (LOCAL, "http://127.0.0.1:3000/a", "http://127.0.0.1:3001/b", "stop"),
        (LOCAL, "http://127.0.0.1:3000/a", "https://127.0.0.1:3000/b", "stop"),  # scheme
        (LOCAL, "http://127.0.0.1:3000/a", "https://ACME.netlify.app./x", "refuse"),
        (LOCAL, "http://127.0.0.1:3000/a", "http://acme.netlify.app:8443/x", "refuse"),
        (PREVIEW, "https://deploy-preview-1--acme.netlify.app/a", "https://acme.netlify.app/", "refuse"),
        (replace_follow(PREVIEW), "https://deploy-preview-1--acme.netlify.app/", "https://x.example/", "follow"),
        (replace_follow(PREVIEW), "https://x.example/", "https://shop.example/", "refuse"),
        (PROD, "https://acme.netlify.app/a", "https://acme.netlify.app/a/", "follow"),
        (PROD, "https://acme.netlify.app/a", "http://acme.netlify.app/a", "stop"),  # own site
        (PROD, "https://acme.netlify.app/a", "https://shop.example/a", "refuse"),  # another one
    ],
)  # fmt: skip
def test_each_hop(target: Target, source: str, location: str, want: str) -> None:
    assert decide(target, source, location) == want


def test_the_first_address_of_a_run_that_is_not_for_production() -> None:
    guard = SendGuard.for_run(LOCAL, TARGETS)
    assert guard.refusal("http://127.0.0.1:3000/api/x") is None
    why = guard.refusal("http://bob:pw@ACME.netlify.app:443/api/x")
    assert why is not None and "the production target 'production'" in why and "pw" not in why
    assert SendGuard.for_run(PROD, TARGETS).refusal("http://acme.netlify.app/api/x") is None
