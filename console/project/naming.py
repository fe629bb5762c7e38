"""Route paths from page files, and the Netlify function names the platform generates for them."""

from __future__ import annotations

import re

from console.model import RouteKind

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
