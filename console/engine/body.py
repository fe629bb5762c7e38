"""Reading the head of a response body, decompressing no more than is kept.

httpx inflates every chunk it reads in full: 4 MB of gzip that inflate to 4 GB cost 200 MB and
9.6 s of CPU before the console threw all but 64 KB away. Here gzip and deflate are inflated
with a bound on the output (zlib's `max_length`), and nothing more is inflated once the kept
head is full (the rest is still read, raw, to the body's end: the run ends when the body does).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import httpx

_GZIP = zlib.MAX_WBITS | 16
_BOUNDED = {"gzip": _GZIP, "x-gzip": _GZIP, "deflate": zlib.MAX_WBITS}


@dataclass
class _Stage:
    wbits: int
    decoder: zlib._Decompress
    started: bool = False

    def feed(self, data: bytes, room: int) -> bytes:
        data = self.decoder.unconsumed_tail + data
        try:
            out = self.decoder.decompress(data, room)
        except zlib.error:
            if self.started or self.wbits != zlib.MAX_WBITS:
                raise
            # "deflate" sent as a raw stream without the zlib header, as some servers do.
            self.wbits = -zlib.MAX_WBITS
            self.decoder = zlib.decompressobj(self.wbits)
            out = self.decoder.decompress(data, room)
        self.started = True
        return out


def _stages(response: httpx.Response) -> list[_Stage] | None:
    """Decoders for the response's Content-Encoding, last applied first; None when httpx must
    decode it (an encoding other than gzip and deflate)."""
    names = [e.strip().lower() for e in response.headers.get("content-encoding", "").split(",")]
    names = [n for n in names if n and n != "identity"]
    if not all(n in _BOUNDED for n in names):
        return None
    return [_Stage(_BOUNDED[n], zlib.decompressobj(_BOUNDED[n])) for n in reversed(names)]


async def read_head(response: httpx.Response, limit: int) -> tuple[bytes, int]:
    """The first `limit` bytes of the decoded body, and its size: the declared Content-Length
    of a body sent as it is, else the decoded bytes seen.

    Past `limit` a gzip or deflate body is no longer inflated (its size is then a lower bound),
    but every body is read to its end, so that a response still being sent is not mistaken for
    a finished one; only an encoding httpx must decode itself stops being read. Raises
    httpx.DecodingError for a body that does not decompress, as httpx would.
    """
    stages = _stages(response)
    kept = bytearray()
    seen = 0
    if stages is None:
        async for chunk in response.aiter_bytes():
            seen += len(chunk)
            kept += chunk[: limit - len(kept)]
            if seen > limit:
                break
        return bytes(kept), max(seen, _declared(response) if not stages_named(response) else 0)
    full = False
    async for raw in response.aiter_raw():
        if full:
            # Past the head: read on to the body's end (a handler still sending has not
            # finished: a body that never ends meets the deadline), but inflate nothing more.
            if not stages:
                seen += len(raw)
            continue
        data = raw
        try:
            for stage in stages:
                data = stage.feed(data, limit + 1 - len(kept))
        except zlib.error as exc:
            raise httpx.DecodingError(
                f"the {response.headers['content-encoding']} body is corrupt: {exc}"
            ) from None
        seen += len(data)
        kept += data[: limit - len(kept)]
        full = seen > limit
    if not stages:  # not encoded: the length the server declared is the body's size
        seen = max(seen, _declared(response))
    return bytes(kept), seen


def _declared(response: httpx.Response) -> int:
    try:
        return max(0, int(response.headers.get("content-length", "0")))
    except ValueError:
        return 0


def stages_named(response: httpx.Response) -> bool:
    """Does the response name a content encoding (other than identity)?"""
    names = response.headers.get("content-encoding", "").replace("identity", "")
    return bool(names.strip(" ,"))
