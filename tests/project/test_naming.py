"""Path-to-route mapping (Next.js) and generated function names (NR-v4)."""

from __future__ import annotations

import pytest

from console.model import RouteKind
from console.project import function_name
from console.project.naming import page_route
from console.project.next_config import DEFAULT_PAGE_EXTENSIONS

DEFAULT = DEFAULT_PAGE_EXTENSIONS


@pytest.mark.parametrize(
    ("relative", "extensions", "route"),
    [
        ("api/hello.ts", DEFAULT, "/api/hello"),
        ("api/hello.js", DEFAULT, "/api/hello"),
        ("api/hello.jsx", DEFAULT, "/api/hello"),
        ("api/hello.tsx", DEFAULT, "/api/hello"),
        ("api/index.ts", DEFAULT, "/api"),
        ("api.ts", DEFAULT, "/api"),
        ("api/users/index.js", DEFAULT, "/api/users"),
        ("api/index/index.js", DEFAULT, "/api/index"),
        ("api/index/list.js", DEFAULT, "/api/index/list"),
        ("api/users/[id].ts", DEFAULT, "/api/users/[id]"),
        ("api/files/[...path].js", DEFAULT, "/api/files/[...path]"),
        ("api/docs/[[...slug]].ts", DEFAULT, "/api/docs/[[...slug]]"),
        ("api/[org]/[repo]/index.ts", DEFAULT, "/api/[org]/[repo]"),
        ("api/hello.test.ts", DEFAULT, "/api/hello.test"),  # test files are routes
        ("api/types.d.ts", DEFAULT, None),
        ("api/_middleware.ts", DEFAULT, None),
        ("api/nested/_middleware.js", DEFAULT, None),
        ("api/readme.md", DEFAULT, None),
        ("api/hello.mjs", DEFAULT, None),  # not a default page extension
        ("api/hello.page.ts", ("page.ts", "api.ts"), "/api/hello"),
        ("api/hello.api.ts", ("page.ts", "api.ts"), "/api/hello"),
        ("api/hello.ts", ("page.ts", "api.ts"), None),
        ("api/hello.test.ts", ("page.ts", "api.ts"), None),
        ("api/index.api.ts", ("page.ts", "api.ts"), "/api"),
        ("api/hello.page.ts", ("ts", "page.ts"), "/api/hello"),  # the longest suffix goes
        ("api/hello.mdx", ("mdx", "ts"), "/api/hello"),
        ("api/.ts", DEFAULT, None),
    ],
)
def test_page_route(relative: str, extensions: tuple[str, ...], route: str | None) -> None:
    assert page_route(relative, extensions) == route


@pytest.mark.parametrize(
    ("route", "kind", "name"),
    [
        ("/api/hello-background", RouteKind.BACKGROUND, "_api_hello-background-background"),
        ("/api/cleanup", RouteKind.SCHEDULED, "_api_cleanup-handler"),
        ("/api/hello", RouteKind.API, "_api_hello-handler"),
        ("/api/users/[id]", RouteKind.API, "_api_users_id-PARAM-handler"),
        ("/api/files/[...path]", RouteKind.API, "_api_files_path-SPLAT-handler"),
        ("/api/docs/[[...slug]]", RouteKind.SCHEDULED, "_api_docs-SPLAT-handler"),
        ("/api/[org]/[...rest]", RouteKind.BACKGROUND, "_api_org-PARAM_rest-SPLAT-background"),
        ("/api/[a]/[b]", RouteKind.API, "_api_a-PARAM_b-PARAM-handler"),
        ("/api/v1.2/hé llo", RouteKind.API, "_api_v1_2_h__llo-handler"),
        ("/api", RouteKind.API, "_api-handler"),
    ],
)
def test_function_name(route: str, kind: RouteKind, name: str) -> None:
    assert function_name(route, kind) == name
