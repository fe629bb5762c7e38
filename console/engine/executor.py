"""One HTTP attempt: send, follow only the redirects the guard allows, keep the head of the
body, name the failure."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, replace

import httpx

from console.engine.body import read_head
from console.engine.history import BODY_LIMIT
from console.engine.redirects import RedirectStop

# Asked about each redirect (from, to, status): None follows it, a RedirectStop ends the attempt.
RedirectRule = Callable[[httpx.URL, httpx.URL, int], RedirectStop | None]

MAX_REDIRECTS = 10


@dataclass(frozen=True)
class Outcome:
    """What one attempt got. `error` set means it failed, even when a status line had arrived."""

    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    body_size: int = 0  # decoded bytes seen; past BODY_LIMIT reading stops, so at least this
    error: str | None = None
    unreachable: bool = False  # no connection at all: nothing reached a server
    url: str | None = None  # where the final response came from, after redirects
    redirect: RedirectStop | None = None  # the response is a redirect the console did not follow


async def send_attempt(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    target_header_names: frozenset[str],
    on_response: Callable[[int], None] | None = None,
    *,
    redirects: RedirectRule,
    on_redirect: Callable[[int, httpx.URL], None] | None = None,
) -> Outcome:
    """Send one request and read its response. Never raises for network trouble.

    Redirects are followed by hand, and only those `redirects` allows (never one to
    production: see redirects.py). A redirect it stops is the attempt's answer, its body kept
    like any other. The target's own headers (credentials from console.toml) never travel to
    another origin; httpx alone would strip only Authorization.
    """
    request = client.build_request(method, url, headers=headers, content=body)
    origin = request.url
    status: int | None = None
    stopped: RedirectStop | None = None
    try:
        for _ in range(MAX_REDIRECTS + 1):
            response = await client.send(request, stream=True, follow_redirects=False)
            nxt = response.next_request
            if nxt is None:
                break
            stopped = redirects(request.url, nxt.url, response.status_code)
            if stopped is not None:
                break
            await response.aclose()
            if on_redirect is not None:
                on_redirect(response.status_code, nxt.url)
            if not _same_origin(origin, nxt.url):
                for name in target_header_names:
                    nxt.headers.pop(name, None)
                nxt.headers.pop("authorization", None)
                nxt.headers.pop("cookie", None)
            request = nxt
        else:
            return Outcome(error=f"more than {MAX_REDIRECTS} redirects")
        status = response.status_code
        if on_response is not None:
            on_response(status)
        try:
            # Only the head is kept: reading (and inflating) stops past it.
            kept, size = await read_head(response, BODY_LIMIT)
        finally:
            await response.aclose()
        return Outcome(
            status=response.status_code,
            headers=tuple((k, v) for k, v in response.headers.items()),
            body=kept,
            body_size=size,
            url=str(response.url),
            redirect=stopped,
        )
    except httpx.TransportError as exc:
        failure = _failure(exc, request.url)
        return failure if status is None else replace(failure, status=status)
    except httpx.DecodingError as exc:
        return Outcome(error=f"the response body could not be decoded: {exc}")
    except httpx.InvalidURL as exc:  # not a TransportError; nothing was sent
        return Outcome(error=f"the URL cannot be sent: {exc}", unreachable=True)


def _same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def _failure(exc: httpx.TransportError, url: httpx.URL) -> Outcome:
    where = f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}"
    chain = _chain(exc)
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, httpx.ConnectTimeout):
        return Outcome(error=f"{where} did not accept a connection in time", unreachable=True)
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or (
            "certificate verify failed" in text
        ):
            return Outcome(
                error=f"the TLS certificate of {where} could not be verified "
                "(use --insecure to skip the check)",
                unreachable=True,
            )
        if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text or "tls" in text:
            return Outcome(error=f"the TLS handshake with {where} failed", unreachable=True)
        if any(isinstance(e, socket.gaierror) for e in chain) or (
            "name or service not known" in text
            or "name resolution" in text
            or "nodename nor servname" in text
            or "getaddrinfo" in text
        ):
            return Outcome(
                error=f"the host name {url.host} could not be resolved", unreachable=True
            )
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
            return Outcome(error=f"nothing is listening at {where}", unreachable=True)
        return Outcome(error=f"cannot connect to {where}: {exc}", unreachable=True)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return Outcome(error=f"the connection to {where} broke before the response was complete")
    if isinstance(exc, httpx.TimeoutException):
        return Outcome(error=f"{where} stopped answering ({type(exc).__name__})")
    return Outcome(error=f"the request to {where} failed: {exc or type(exc).__name__}")
