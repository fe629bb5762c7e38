"""Route paths from page files, and the Netlify function names the platform generates for them."""

from __future__ import annotations

import re

from console.model import Placement, RouteKind

HANDLER = "___netlify-handler"  # NR-v4 HANDLER_FUNCTION_NAME: every route without a function
SERVER_HANDLER = "___netlify-server-handler"  # NR-v5 SERVER_HANDLER_NAME: every route on v5
API_HANDLER = "___netlify-api-handler"  # NR-v4 API_FUNCTION_NAME: a bin of several routes

# NR-v4 `getFunctionNameForPage` and its regexes (constants.ts). Each catch-all regex is applied
# once (no `g` flag there); the dynamic one to every segment. `\w` is ASCII in JavaScript.
_CATCH_ALL = re.compile(r"/\[\.{3}(.*)\](.json)?$")
_OPTIONAL_CATCH_ALL = re.compile(r"/\[{2}\.{3}(.*)\]{2}(.json)?$")
_DYNAMIC = re.compile(r"/\[(.*?)\]")
_RESERVED = re.compile(r"[^\w_-]", re.ASCII)


def function_name(route_path: str, kind: RouteKind) -> str:
    """The function the platform generates for a Next.js API route (PLATFORM.md section 5).

    `/api/hello-background` (background) -> `_api_hello-background-background`,
    `/api/users/[id]` -> `_api_users_id-PARAM-handler`. Plain `api` routes get the same
    `-handler` name the platform gives them when each is packed alone.
    """
    name = _CATCH_ALL.sub(r"_\1-SPLAT", route_path, count=1)
    name = _OPTIONAL_CATCH_ALL.sub("-SPLAT", name, count=1)
    name = _DYNAMIC.sub(r"_\1-PARAM", name)
    name = _RESERVED.sub("_", name)
    suffix = "background" if kind is RouteKind.BACKGROUND else "handler"
    return f"{name}-{suffix}"


def served_by(
    route_path: str, kind: RouteKind, *, edge: bool, split: bool, v5: bool
) -> tuple[str | None, Placement, str | None]:
    """(function, placement, name when packed alone) for a Next.js API route.

    NR-v4 `index.ts`: with NEXT_SPLIT_API_ROUTES off, only routes with a `type` get a function
    (`getExtendedApiRouteConfigs`), the rest are served by `___netlify-handler`; with it on,
    `getAPILambdas` packs standard and background routes into ~50 MB bins (a bin of one keeps
    the route's name, others are `___netlify-api-handler[-N]`), scheduled routes stay alone.
    `/api` itself is never examined (only `/api/...` keys), and edge routes are edge functions.
    """
    if edge:
        return None, Placement.EDGE, None
    own = function_name(route_path, kind)
    if v5:
        if kind is RouteKind.API:
            return SERVER_HANDLER, Placement.SHARED, None
        return own, Placement.OWN, None  # what v4 would name it; v5 fails the build on it
    if route_path == "/api":
        return HANDLER, Placement.SHARED, None
    if kind is RouteKind.SCHEDULED:
        return own, Placement.OWN, None
    if split:
        return None, Placement.BUILD, own
    if kind is RouteKind.BACKGROUND:
        return own, Placement.OWN, None
    return HANDLER, Placement.SHARED, None


def split_api_routes(value: str | None) -> bool:
    """NEXT_SPLIT_API_ROUTES as NR-v4 `flags.ts` reads it: `destr(value)`, truthy means on."""
    if value is None:
        return False
    text = value.strip()
    lowered = text.lower()
    if lowered in ("true",):
        return True
    if lowered in ("false", "null", "undefined", "nan", ""):
        return False
    try:
        return float(text) != 0
    except ValueError:
        return True  # any other string is truthy in JavaScript


def page_route(relative: str, extensions: tuple[str, ...]) -> str | None:
    """The route of a file under the pages folder (`api/users/[id].ts` -> `/api/users/[id]`).

    None when no page extension matches or the file is not a route (`*.d.ts`, `_middleware`).
    The longest matching extension is stripped, as Next's `\\.+(ext|...)$` does when it matches
    at the first possible dot; a trailing `/index` is dropped.
    """
    if relative.endswith(".d.ts"):
        return None
    stem: str | None = None
    for ext in sorted(extensions, key=len, reverse=True):
        if relative.endswith("." + ext) and len(relative) > len(ext) + 1:
            stem = relative[: -len(ext) - 1].rstrip(".")
            break
    if stem is None or not stem or stem.endswith("/"):
        return None
    base = stem.rsplit("/", 1)[-1]
    if base == "_middleware":
        return None
    page = "/" + stem
    if page.endswith("/index"):
        page = page[: -len("/index")] or "/"
    return page
