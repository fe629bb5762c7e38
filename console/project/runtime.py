"""Which `@netlify/plugin-nextjs` the build will run, modelled on netlify/build's plugin resolution.

netlify/build (packages/build/src/plugins/): a plugin that resolves from the site's
node_modules is `loadedFrom: 'package.json'` and always used as installed (`resolve.js`,
`expected_version.ts` isMissingVersion). Otherwise Netlify installs the first entry of
netlify/plugins `site/plugins.json` whose conditions hold (`compatibility.ts`
getCompatibleEntry): a pinned major (the Netlify UI's, `[[plugins]] pinned_version`, or for a
netlify.toml-only plugin the major of its last successful run, `pinned_version.js`) limits the
entries, except one whose `overridePinnedVersion` intersects the pin. The site's `next` is read
as package.json's exact version, else the installed one (`plugin_conditions.ts`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from console.model import Problem, RuntimeChoice, Severity
from console.project.lockfiles import Installed, Installs
from console.project.netlify_toml import NetlifyToml
from console.project.package_json import MIGRATION_LINK, RUNTIME_PACKAGE, asks_for_v5
from console.project.versions import (
    Version,
    is_exact,
    may_satisfy,
    parse_version,
    range_ceiling,
)

V5_FIRST_NEXT: Version = (13, 5, 0)


@dataclass(frozen=True)
class _Entry:
    version: str
    major: int
    overrides_pins_from: int | None  # overridePinnedVersion ">=4.0.0" -> 4
    next_allows: Callable[[Version], bool]


# netlify/plugins site/plugins.json, the @netlify/plugin-nextjs entry (read 2026-08-11), in its
# order; the feature-flagged 5.7.0-ipx.0 entry is left out (only with the flag).
PLUGINS_JSON = (
    _Entry("5.x", 5, 4, lambda n: n >= V5_FIRST_NEXT),  # 5.15.13 then; also needs Node >= 18
    _Entry("4.41.6", 4, None, lambda n: n < V5_FIRST_NEXT),
    _Entry("3.9.2", 3, None, lambda n: (10, 0, 6) <= n < (10, 0, 9)),
    _Entry("1.1.5", 1, None, lambda n: n < (10, 0, 6)),
)


@dataclass(frozen=True)
class NextVersion:
    version: Version | None  # None when no `next` is a dependency
    text: str  # "14.1.0", or the range when guessed
    source: str  # "package.json", "pnpm-lock.yaml", "a guess: nothing installed says which"
    guess: bool


@dataclass(frozen=True)
class RuntimeDecision:
    """The runtime, and what the files leave open about it."""

    choice: RuntimeChoice
    next: NextVersion
    installed: bool  # the plugin resolves from node_modules: the build uses that copy
    declared: bool  # package.json asks for the plugin
    listed: bool  # netlify.toml has a [[plugins]] entry for it
    ui_pin_risk: str | None  # what a pin set in the Netlify UI (not in the files) would change


def netlify_pick(next_version: Version | None, pinned_major: int | None) -> str:
    """The version netlify/build auto-installs (`compatibility.ts` getCompatibleEntry)."""
    for entry in PLUGINS_JSON:
        overrides = (
            pinned_major is not None
            and entry.overrides_pins_from is not None
            and pinned_major >= entry.overrides_pins_from
        )
        if pinned_major is not None and not overrides and entry.major != pinned_major:
            continue
        if next_version is not None and entry.next_allows(next_version):
            return entry.version
    if pinned_major is not None:
        return f"{pinned_major}.x"
    return PLUGINS_JSON[0].version  # no entry matched: the latest (the "legacy fallback")


def _major(version: str) -> int | None:
    head = version.split(".", 1)[0].lstrip("v^~=")
    return int(head) if head.isdigit() else None


def _next_version(deps: dict[str, str], installs: Installs) -> NextVersion:
    spec = deps.get("next")
    if spec is None:
        return NextVersion(None, "", "", False)
    if is_exact(spec):
        return NextVersion(parse_version(spec), spec.strip().lstrip("=v"), "package.json", False)
    found = installs.version("next", spec)
    if found is not None and parse_version(found.version) and may_satisfy(found.version, spec):
        return NextVersion(parse_version(found.version), found.version, found.source, False)
    return NextVersion(range_ceiling(spec), spec, "a guess: nothing installed says which", True)


def decide_runtime(
    site_deps: dict[str, str], root_deps: dict[str, str], toml: NetlifyToml, installs: Installs
) -> RuntimeDecision | None:
    """None when the site has neither `next` nor the runtime as a dependency."""
    # Netlify merges the repository's package.json and the site's, the site's winning
    # (`plugin_conditions.ts` siteDependenciesTest); Node resolves hoisted packages the same way.
    deps = {**root_deps, **site_deps}
    spec = deps.get(RUNTIME_PACKAGE)
    if spec is None and "next" not in deps:
        return None
    next_version = _next_version(deps, installs)
    entries = [p for p in toml.plugins if p.package == RUNTIME_PACKAGE]
    listed = bool(entries)
    pin = _major(entries[0].pinned_version) if entries and entries[0].pinned_version else None
    installed: Installed | None = installs.version(RUNTIME_PACKAGE, spec)
    stale = ""
    if installed is not None and spec is not None and not may_satisfy(installed.version, spec):
        # package.json was edited after the lock: `npm install` replaces the locked version.
        stale = f" ({installed.source} still has {installed.version}, which the range excludes)"
        installed = None
    if installed is not None:
        choice = RuntimeChoice(
            RUNTIME_PACKAGE, installed.version, installed.source, False, _major(installed.version)
        )
        return RuntimeDecision(choice, next_version, True, spec is not None, listed, None)
    if spec is not None:
        major = 5 if asks_for_v5(spec) else _major(spec)
        why = f"a guess: package.json asks for {spec!r}" + (
            stale or " and no lock file or node_modules says more"
        )
        choice = RuntimeChoice(RUNTIME_PACKAGE, spec, why, True, major)
        return RuntimeDecision(choice, next_version, False, True, listed, None)
    picked = netlify_pick(next_version.version, pin)
    reason = _auto_reason(next_version, pin)
    choice = RuntimeChoice(RUNTIME_PACKAGE, picked, reason, next_version.guess, _major(picked))
    risk = None
    if pin is None:
        for ui_pin in (4, 5):
            other = netlify_pick(next_version.version, ui_pin)
            if _major(other) != choice.major:
                risk = other
                break
    return RuntimeDecision(choice, next_version, False, False, listed, risk)


def _auto_reason(next_version: NextVersion, pin: int | None) -> str:
    if next_version.version is None:
        return "not pinned, and no `next` version to choose by"
    pinned = f"pinned_version {pin} in netlify.toml" if pin is not None else "not pinned"
    return f"{pinned}: Netlify installs it for next {next_version.text} ({next_version.source})"


PIN_V4 = (
    f"pin v4 (`npm install -D {RUNTIME_PACKAGE}@4` and `[[plugins]] package = "
    f'"{RUNTIME_PACKAGE}"` in netlify.toml: the documented pin needs both)'
)
MIGRATE = (
    f"or migrate them to Netlify functions (see {MIGRATION_LINK}). "
    "`console migrate` shows the change that makes them functions; --write applies it"
)


def runtime_problems(
    decision: RuntimeDecision | None, advanced: list[str], at: tuple[str, int, int]
) -> list[Problem]:
    """`runtime-v5` for Next.js background and scheduled routes the chosen runtime cannot build.

    An error when the files say v5 will run; a warning when they leave it open (a pin in the
    Netlify UI, or an installed v4 that no `[[plugins]]` entry pins).
    """
    if decision is None or not advanced:
        return []
    choice = decision.choice
    routes = ", ".join(advanced)
    file, line, column = at
    if choice.major is not None and choice.major >= 5:
        if decision.installed:
            why = f"{RUNTIME_PACKAGE} {choice.version} is installed ({choice.source})"
        elif decision.declared:
            why = f"{choice.source}: npm installs the newest version the range allows"
        else:
            why = (
                f"the runtime is not pinned, so Netlify installs 5.x for next "
                f"{decision.next.text} ({decision.next.source}); a v4 pin set in the Netlify UI "
                'does not stop it (overridePinnedVersion ">=4.0.0")'
            )
        message = (
            f"{RUNTIME_PACKAGE}@5 does not support advanced API routes. The following API routes "
            f"should be migrated to Netlify background or scheduled functions: {routes} "
            f"({why}); {PIN_V4}, {MIGRATE}"
        )
        return [Problem(file, line, column, Severity.ERROR, "runtime-v5", message)]
    if decision.installed and not decision.listed:
        auto = netlify_pick(decision.next.version, None)
        if (_major(auto) or 0) >= 5:
            message = (
                f"{RUNTIME_PACKAGE} {choice.version} is installed ({choice.source}) but netlify.toml "
                f"has no [[plugins]] entry for it: without one, Netlify's own choice for next "
                f"{decision.next.text} is 5.x, which fails on {routes}; add `[[plugins]] package = "
                f'"{RUNTIME_PACKAGE}"` to netlify.toml'
            )
            return [Problem(file, line, column, Severity.WARNING, "runtime-v5", message)]
        return []
    if decision.ui_pin_risk is not None and (_major(decision.ui_pin_risk) or 0) >= 5:
        message = (
            f"the runtime is not pinned in the files: Netlify installs {choice.version} for next "
            f"{decision.next.text}, but a v5 pin set in the Netlify UI (not visible from here) "
            f"would install {decision.ui_pin_risk}, which fails on {routes}; {PIN_V4}"
        )
        return [Problem(file, line, column, Severity.WARNING, "runtime-v5", message)]
    return []
