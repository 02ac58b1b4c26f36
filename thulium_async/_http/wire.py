"""Pure helpers for what goes over the wire: URLs, headers and the schedule_call body.

No I/O and no aiohttp sessions here, so all of it is tested in milliseconds.
"""

from __future__ import annotations

import base64
import ipaddress
import math
from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from .._core.errors import InvalidInputError

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_base_url(raw: object, *, allow_insecure_http: bool = False) -> URL:
    """Return the API root as an absolute URL ending in exactly one ``/``.

    aiohttp's own ``base_url`` joining changed in 3.11 and differs for injected sessions,
    so the SDK joins paths itself against this one normalised root.

    Raises:
        InvalidInputError: not a string, not ``https://`` (plain ``http://`` only for a
            loopback host or with *allow_insecure_http*), or carrying credentials, a
            query or a fragment.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInputError(
            f"base_url must be a non-empty string like "
            f"'https://acme.thulium.com/api', got {raw!r}"
        )
    try:
        url = URL(raw.strip())
    except ValueError as exc:
        raise InvalidInputError(f"base_url {raw!r} is not a valid URL: {exc}") from None
    if url.scheme not in ("https", "http") or not url.host:
        raise InvalidInputError(
            f"base_url must be an absolute https:// URL like "
            f"'https://acme.thulium.com/api', got {raw!r}"
        )
    if url.scheme == "http" and not (allow_insecure_http or _is_loopback(url.host)):
        raise InvalidInputError(
            f"base_url {raw!r} uses plain http://, which would send the password "
            "unencrypted; use https:// (pass allow_insecure_http=True, or the CLI's "
            "--allow-insecure-http, only if you really mean it)"
        )
    if url.user is not None or url.password is not None:
        raise InvalidInputError(
            "base_url must not contain credentials; pass username and password instead"
        )
    if url.query_string or url.fragment:
        raise InvalidInputError(
            f"base_url must not have a query or fragment, got {raw!r}"
        )
    path = "/".join(part for part in url.path.split("/") if part)
    return url.with_path(f"/{path}/" if path else "/")


def frozen_headers(headers: Mapping[str, str]) -> CIMultiDictProxy[str]:
    """Return *headers* as the read-only multidict aiohttp takes without copying.

    aiohttp converts a plain dict of request headers into a ``CIMultiDict`` on every
    request; a proxy of one built once per endpoint skips that conversion.
    """
    return CIMultiDictProxy(CIMultiDict(headers))


def join_url(base: URL, path: str) -> URL:
    """Join a relative endpoint *path* (``queues/2/waiting_list``) onto the API root."""
    return base.join(URL(path))


def basic_auth_header(username: str, password: str) -> str:
    """Return the ``Authorization`` header value for HTTP Basic, encoded as UTF-8.

    Built by hand because aiohttp 3.14 deprecates ``BasicAuth`` and ``auth=``; it is sent
    with every request, so it also works on a session the user passed in.
    """
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def parse_retry_after(
    value: str | None, *, now: datetime | None = None
) -> float | None:
    """Return the seconds a ``Retry-After`` header asks for, or ``None`` if unusable.

    Accepts delta-seconds (``"2"``, ``"1.5"``) and HTTP-dates. A date in the past gives
    0.0. Garbage, negative, ``nan`` and ``inf`` give ``None``: the caller then falls back
    to its own backoff, and a huge but finite value is left for the retry deadline to
    refuse.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(seconds) and seconds >= 0:
            return seconds
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a naive one is read that way
        when = when.replace(tzinfo=timezone.utc)
    reference = now if now is not None else datetime.now(timezone.utc)
    return max(0.0, (when - reference).total_seconds())
