"""Sites, not strings: every spelling of one host is one site; credentials never shown."""

from __future__ import annotations

import base64
import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.sites import (
    LOOPBACK,
    Site,
    canonical_host,
    has_userinfo,
    public_url,
    same_site,
    site_of,
    url_secrets,
    without_userinfo,
)

PRODUCTION = "https://acme.netlify.app"

SAME = [
    # (a, b): one site
    (PRODUCTION, "http://acme.netlify.app"),
    (PRODUCTION, "http://acme.netlify.app:443"),
    (PRODUCTION, "https://acme.netlify.app:80/"),
    (PRODUCTION, "https://acme.netlify.app:8443"),  # off loopback the port is not a site
    (PRODUCTION, "HTTPS://ACME.Netlify.APP"),
    (PRODUCTION, "https://acme.netlify.app./api"),
    (PRODUCTION, "https://acme%2Enetlify.app"),
    (PRODUCTION, "https://bob:secret@acme.netlify.app"),
    ("http://127.0.0.2", "http://2130706434"),
    ("http://127.0.0.2", "http://0x7f000002"),
    ("http://127.0.0.2", "http://127.2"),
    ("http://127.0.0.2", "http://0177.0.0.2"),
    ("http://127.0.0.2", "http://[::ffff:127.0.0.2]"),
    ("http://127.0.0.2", "http://[::ffff:7f00:2]:80"),
    ("http://127.0.0.2", "https://127.0.0.2:443"),
    ("http://localhost:3000", "http://127.0.0.1:3000"),  # loopback is one host
    ("http://localhost:3000", "http://[::1]:3000"),
    ("http://localhost:3000", "http://0.0.0.0:3000"),
    ("http://localhost:3000", "http://app.localhost:3000"),
    ("http://localhost:3000", "http://LOCALHOST.:3000"),
    ("http://10.0.0.5", "http://167772165"),
    ("http://[2001:db8::1]", "http://[2001:0db8:0:0::1]:8080"),
]

DIFFERENT = [
    (PRODUCTION, "https://deploy-preview-42--acme.netlify.app"),
    (PRODUCTION, "https://www.acme.netlify.app"),
    ("http://127.0.0.1:3000", "http://127.0.0.1:3001"),  # loopback: the port is the server
    ("http://localhost:3000", "http://localhost"),
    ("http://127.0.0.2", "http://127.0.0.2:8080"),
    ("http://10.0.0.5", "http://10.0.0.6"),
    ("http://acme.com", "http://acme.com.evil.example"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_one_site_however_it_is_spelled(a: str, b: str) -> None:
    assert site_of(a) == site_of(b), (site_of(a), site_of(b))
    assert same_site(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_sites(a: str, b: str) -> None:
    assert site_of(a) != site_of(b)


def test_what_a_site_looks_like() -> None:
    assert site_of("https://Acme.Netlify.App.:443/x") == Site("acme.netlify.app")
    assert site_of("http://127.0.0.1:3000") == Site(LOOPBACK, 3000)
    assert str(site_of("http://[::1]:3000")) == "loopback:3000"
    assert canonical_host("[::FFFF:127.0.0.2]") == "127.0.0.2"
    assert canonical_host("0x7F.1") == "127.0.0.1"
    assert canonical_host("face") == "face"  # hex letters alone are a name, not an address


def test_a_url_without_a_host_is_no_site_but_its_own() -> None:
    assert site_of("not a url") != site_of("http://localhost")
    assert site_of("http://x:99999") == Site("x")  # an unreadable port does not raise


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_ipv4_spelling_is_one_address(n: int) -> None:
    dotted = str(ipaddress.IPv4Address(n))
    spellings = [str(n), hex(n), f"[::ffff:{dotted}]", dotted + "."]
    a, b, c, d = dotted.split(".")
    spellings.append(f"{a}.{int(b) * 65536 + int(c) * 256 + int(d)}")  # the `127.2` form
    spellings.append(".".join(f"0{int(x):o}" for x in (a, b, c, d)))  # octal
    want = site_of(f"http://{dotted}")
    for s in spellings:
        assert site_of(f"https://{s}:443/") == want, s


CREDENTIALED = [
    ("https://bob:s3cret-pw@acme.netlify.app/x", "https://***@acme.netlify.app/x"),
    ("https://TOKEN-abcdef@acme.netlify.app", "https://***@acme.netlify.app"),
    ("http://u%40x:p%3Aw@127.0.0.1:3000", "http://***@127.0.0.1:3000"),
    ("https://acme.netlify.app/a@b", "https://acme.netlify.app/a@b"),  # `@` in the path only
    ("https://acme.netlify.app", "https://acme.netlify.app"),
]


@pytest.mark.parametrize(("url", "shown"), CREDENTIALED)
def test_credentials_are_never_shown(url: str, shown: str) -> None:
    assert public_url(url) == shown
    assert has_userinfo(url) == (shown != url)
    assert without_userinfo(url) == shown.replace("***@", "")


def test_url_secrets_cover_what_the_wire_and_an_echo_carry() -> None:
    found = url_secrets("http://bob:p%40ss-word@127.0.0.1:3000")
    assert "p@ss-word" in found and "p%40ss-word" in found
    assert "bob:p@ss-word" in found
    assert base64.b64encode(b"bob:p@ss-word").decode() in found
    assert "bob" not in found  # a user name beside a password is not the secret
    token = url_secrets("https://TOKEN-abcdef@acme.netlify.app")
    assert "TOKEN-abcdef" in token and base64.b64encode(b"TOKEN-abcdef:").decode() in token
    assert url_secrets("https://acme.netlify.app/a@b") == frozenset()


_LABEL = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9]", fullmatch=True)


@given(st.lists(_LABEL, min_size=2, max_size=4), st.sampled_from(["", ":80", ":443", ":8443"]))
def test_a_host_name_is_one_site_however_it_is_written(labels: list[str], port: str) -> None:
    host = ".".join(labels)
    want = site_of(f"https://{host}")
    for spelled in (host.upper(), host + ".", host.capitalize() + "."):
        for scheme in ("http", "https", "HTTPS"):
            assert site_of(f"{scheme}://{spelled}{port}/x") == want
    assert site_of(f"https://x{host}") != want and site_of(f"https://{host}.x") != want
