"""Which site a URL names, and what of a URL may be shown: the production guard's one ruler.

"Is this production?" must not depend on how an address is spelled. A site here is what a
request would reach, whatever the spelling:

- the scheme does not make another site (`http://` and `https://` reach the same host);
- off loopback the port does not either (`acme.netlify.app`, `:443`, `:80` and `:8443` are one
  site: a deployed site is one host), while on loopback each port is its own site (the dev
  server on :3000 and a test's production on :41234 are two servers);
- every loopback address is one host (`localhost`, `127.0.0.2`, `[::1]`, `0.0.0.0`: a server
  bound to all addresses answers on each), so loopback sites differ only by port;
- IPv4 in every form `inet_aton` (and so the resolver) accepts (`2130706434`, `0x7f000002`,
  `127.2`, `0177.0.0.2`) and IPv4-mapped IPv6 (`[::ffff:127.0.0.2]`) are one address;
- case, a trailing dot and percent-encoding in the host do not matter.

Two sites that may be one are treated as one: the guard errs towards asking.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

LOOPBACK = "loopback"  # the host of every loopback site
DEFAULT_PORTS = (80, 443)
_NUMERIC_V4 = re.compile(r"^[0-9a-fx.]+$")  # what inet_aton could read (hex, octal, short forms)


@dataclass(frozen=True, order=True)
class Site:
    """A host as a request reaches it; `port` only for loopback sites off the default ports."""

    host: str
    port: int | None = None

    def __str__(self) -> str:
        return self.host if self.port is None else f"{self.host}:{self.port}"


def canonical_host(host: str) -> str:
    """One spelling per host: lower case, no trailing dot, IPv4 dotted-quad, IPv6 compressed."""
    h = unquote(host).strip().strip("[]").lower().rstrip(".")
    if not h.isascii():
        try:
            h = h.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return h
    if _NUMERIC_V4.match(h) and not h.startswith(".") and ".." not in h:
        try:
            return socket.inet_ntoa(socket.inet_aton(h))
        except OSError:
            pass
    try:
        address = ipaddress.ip_address(h.split("%", 1)[0])
    except ValueError:
        return h
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return address.compressed


def is_loopback(host: str) -> bool:
    """A host that names this machine: `localhost`, `*.localhost`, 127/8, ::1, 0.0.0.0, ::."""
    h = canonical_host(host)
    if h == "localhost" or h.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(h)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def site(host: str, port: int | None) -> Site:
    """The site of a host and port as a URL parser gave them (port None: the scheme's default)."""
    if is_loopback(host):
        return Site(LOOPBACK, None if port is None or port in DEFAULT_PORTS else port)
    return Site(canonical_host(host))


def site_of(url: str) -> Site:
    """The site of a URL; a URL without a readable host is a site of its own (never equal)."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    return site(parts.hostname or f"<no host in {url!r}>", port)


def same_site(a: str, b: str) -> bool:
    return site_of(a) == site_of(b)


# --- credentials in URLs --------------------------------------------------------------------


def public_url(url: str) -> str:
    """The URL as it may be shown and stored: credentials in it (`user:pass@`) become `***@`.

    The whole userinfo goes, the user name too: `https://TOKEN@host` puts the secret there.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


def without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def has_userinfo(url: str) -> bool:
    return "@" in urlsplit(url).netloc


def url_secrets(url: str) -> frozenset[str]:
    """Every form a URL's credentials take on the wire or in an echo: as written, decoded,
    `user:pass`, and the base64 of `user:pass` that an `Authorization: Basic` header carries."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return frozenset()
    userinfo = parts.netloc.rpartition("@")[0]
    user_raw, _, password_raw = userinfo.partition(":")
    user, password = unquote(user_raw), unquote(password_raw)
    found = {userinfo, unquote(userinfo), f"{user}:{password}"}
    found.add(base64.b64encode(f"{user}:{password}".encode()).decode("ascii"))
    if password:
        found.update((password, password_raw))
    else:  # `https://TOKEN@host`: the user name is the secret
        found.update((user, user_raw))
    return frozenset(v for v in found if v and v != ":")
