"""From what the user typed to a route and a concrete URL: lookup, parameters, query."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from urllib.parse import quote, unquote, urlencode

from console.errors import UsageError
from console.model import Param, Placement, Route


def find_route(routes: Sequence[Route], path: str) -> tuple[Route, dict[str, str]]:
    """The route for `path`, and the parameters read from it when `path` is a concrete URL path.

    `/api/users/[id]` names the route itself; `/api/users/42` matches it with id=42. An unknown
    path is a UsageError that lists the closest routes.
    """
    wanted = "/" + path.strip().lstrip("/") if path.strip() else path
    wanted = wanted.rstrip("/") or "/"
    for r in routes:
        if r.route == wanted:
            return r, {}
    for r in routes:
        # Only a function of its own names one route: ___netlify-handler serves many.
        if r.placement is Placement.OWN and r.function == path.strip():
            return r, {}
    # A concrete path: prefer static matches, then the route with the fewest parameters.
    matches: list[tuple[int, Route, dict[str, str]]] = []
    for r in routes:
        params = match_path(r.route, wanted)
        if params is not None:
            matches.append((len(r.params), r, params))
    if matches:
        matches.sort(key=lambda m: m[0])
        return matches[0][1], matches[0][2]
    known = [r.route for r in routes]
    close = difflib.get_close_matches(wanted, known, n=3, cutoff=0.75)
    if close:
        hint = "closest: " + ", ".join(close)
    elif known:
        hint = "routes: " + ", ".join(sorted(known)[:10]) + (", …" if len(known) > 10 else "")
    else:
        hint = "the project has no routes"
    raise UsageError(f"no route {wanted} in the project; {hint}")


def match_path(pattern: str, path: str) -> dict[str, str] | None:
    """Parameters when the concrete `path` fits the route `pattern`, else None."""
    pat = [s for s in pattern.split("/") if s]
    got = [s for s in path.split("/") if s]
    params: dict[str, str] = {}
    for i, seg in enumerate(pat):
        p = _param(seg)
        if p is None:
            if i >= len(got) or got[i] != seg:
                return None
            continue
        if p.catch_all:
            rest = got[i:]
            if not rest and not p.optional:
                return None
            if rest:
                params[p.name] = "/".join(unquote(s) for s in rest)
            return params
        if i >= len(got):
            return None
        params[p.name] = unquote(got[i])
    return params if len(got) == len(pat) else None


def _param(segment: str) -> Param | None:
    from console.model import route_params

    found = route_params(segment)
    return found[0] if found and segment.startswith("[") else None


# What a static segment keeps as written: everything a URL path may hold (RFC 3986 pchar, and
# `%` so an encoded name stays as the project wrote it); the rest is percent-encoded.
_PATH_SAFE = "!$&'()*+,;=:@%[]~"


def fill_path(route: Route, params: Mapping[str, str]) -> str:
    """The route path with its dynamic segments replaced; each value is percent-encoded.

    Catch-all values may contain `/`, which separates segments. A missing parameter is a
    UsageError naming it; so is a parameter the route does not have.
    """
    names = {p.name for p in route.params}
    extra = sorted(set(params) - names)
    if extra:
        have = ", ".join(sorted(names)) or "none"
        raise UsageError(
            f"--param {extra[0]} is not a parameter of {route.route} (its parameters: {have})"
        )
    out: list[str] = []
    for seg in route.route.split("/"):
        p = _param(seg) if seg else None
        if p is None:
            # A file name may hold anything, control characters too; an URL may not.
            out.append(quote(seg, safe=_PATH_SAFE))
            continue
        value = params.get(p.name)
        if value is None or value == "":
            if p.optional:
                continue
            raise UsageError(
                f"{route.route} needs a value for {p.name}: add --param {p.name}=VALUE"
            )
        if p.catch_all:
            out.append("/".join(quote(part, safe="") for part in value.strip("/").split("/")))
        else:
            out.append(quote(value, safe=""))
    return "/".join(out) or "/"


def build_url(base: str, path: str, query: Sequence[tuple[str, str]] = ()) -> str:
    url = base.rstrip("/") + path
    if query:
        url += "?" + urlencode(list(query))
    return url
