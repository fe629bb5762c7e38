"""Finding the route a user means, and filling in its dynamic segments."""

from __future__ import annotations

import pytest

from console.engine.routing import build_url, fill_path, find_route
from console.errors import UsageError
from console.model import Placement, Route, RouteKind
from console.sites import public_url
from tests.engine.conftest import API, FILES, ROUTES, USER

OPTIONAL = Route(
    "/api/docs/[[...slug]]", RouteKind.API, None, "pages/api/docs/[[...slug]].js", 1, "d"
)
STATIC = Route("/api/users/me", RouteKind.API, None, "pages/api/users/me.js", 1, "m")


def test_exact_and_concrete_paths() -> None:
    routes = (*ROUTES, OPTIONAL, STATIC)
    assert find_route(routes, "/api/hello") == (API, {})
    assert find_route(routes, "api/hello/") == (API, {})
    assert find_route(routes, "/api/users/[id]") == (USER, {})
    assert find_route(routes, "/api/users/42") == (USER, {"id": "42"})
    assert find_route(routes, "/api/users/me") == (STATIC, {})  # static wins
    assert find_route(routes, "/api/files/a/b%20c.txt") == (FILES, {"path": "a/b c.txt"})
    assert find_route(routes, "/api/docs") == (OPTIONAL, {})
    assert find_route(routes, "_api_hello") == (API, {})  # the function name works too


def test_an_unknown_route_lists_the_closest() -> None:
    with pytest.raises(UsageError) as err:
        find_route(ROUTES, "/api/helo")
    assert str(err.value) == "no route /api/helo in the project; closest: /api/hello"
    with pytest.raises(UsageError, match=r"no route /zzz in the project; routes: /api/cleanup, "):
        find_route(ROUTES, "/zzz")
    with pytest.raises(UsageError, match="the project has no routes"):
        find_route((), "/api/x")


def test_fill_path() -> None:
    assert fill_path(USER, {"id": "a/b"}) == "/api/users/a%2Fb"
    assert fill_path(FILES, {"path": "/a/b c/"}) == "/api/files/a/b%20c"
    assert fill_path(OPTIONAL, {}) == "/api/docs"
    assert fill_path(OPTIONAL, {"slug": "x/y"}) == "/api/docs/x/y"
    with pytest.raises(UsageError) as err:
        fill_path(FILES, {})
    assert str(err.value) == "/api/files/[...path] needs a value for path: add --param path=VALUE"
    with pytest.raises(
        UsageError,
        match=r"--param ID is not a parameter of /api/users/\[id\] \(its parameters: id\)",
    ):
        fill_path(USER, {"id": "1", "ID": "2"})


def test_urls() -> None:
    assert (
        build_url("http://h:3000/", "/api/x", [("a", "1 2"), ("b", "&")])
        == "http://h:3000/api/x?a=1+2&b=%26"
    )
    # The whole userinfo goes: `https://TOKEN@host` puts the secret in the user name.
    assert public_url("https://u:pw@h.example:8443/x") == "https://***@h.example:8443/x"
    assert public_url("https://h.example/x") == "https://h.example/x"


def test_a_shared_function_name_does_not_pick_a_route() -> None:
    shared = [
        Route(f"/api/{name}", RouteKind.API, None, f"pages/api/{name}.ts", 1, "___netlify-handler",
              placement=Placement.SHARED)
        for name in ("a", "b")
    ]  # fmt: skip
    with pytest.raises(UsageError):
        find_route(shared, "___netlify-handler")
