"""Every exception the SDK raises, and the one function that maps a status to its class.

Users catch these and nothing else: aiohttp, cattrs, tenacity and json exceptions never
reach them (the transport and the converter translate them here). No I/O lives here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import attrs

_SNIPPET_LENGTH = 200


@attrs.frozen
class ErrorDetail:
    """One entry of the ``errors`` list in Thulium's error body.

    Thulium documents one error body for the whole API::

        {"request_id": "53678450401cf",
         "errors": [{"message": "Wrong format of phone number.", "code": 111111}]}

    Attributes:
        code: the vendor's error code, or ``None`` when the entry has none.
        message: the vendor's message, in the language asked for with
            ``ThuliumClient(language=...)``.
    """

    code: int | None
    message: str


class ThuliumError(Exception):
    """Base class of every error this SDK raises.

    Catch it to handle anything the SDK can go wrong with, from bad arguments to a broken
    network.

    Attributes:
        attempts: how many HTTP attempts were made before the error was raised (0 for
            errors raised before sending).
    """

    attempts: int = 0


class InvalidInputError(ThuliumError, ValueError):
    """An argument is invalid; raised before any request is sent.

    It is also a :class:`ValueError`, so code written against the standard library's
    conventions catches it too.
    """


class APIStatusError(ThuliumError):
    """Thulium answered with a status that is not a success.

    Its message shows the vendor's error messages and ``request_id`` (what Thulium's
    support asks for) when the body is Thulium's documented error JSON, else the start
    of the body.

    Attributes:
        status: the HTTP status code.
        body: the response body: parsed JSON when it parses, else text (possibly empty).
        method: the HTTP method of the request.
        url: the URL of the request (it never holds credentials).
        retry_after: seconds the server asked us to wait (``Retry-After``), or ``None``.
        request_id: the vendor's ``request_id`` from the error body, or ``None``.
        errors: the vendor's error entries; empty when the body is of another shape.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        body: Any,
        method: str,
        url: str,
        retry_after: float | None = None,
        request_id: str | None = None,
        errors: tuple[ErrorDetail, ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.method = method
        self.url = url
        self.retry_after = retry_after
        self.request_id = request_id
        self.errors = errors


class BadRequestError(APIStatusError):
    """400 Bad Request: Thulium rejected the request as malformed."""


class AuthenticationError(APIStatusError):
    """401 Unauthorized: the API user or password is wrong."""


class PermissionDeniedError(APIStatusError):
    """403 Forbidden: the API user may not do this."""


class NotFoundError(APIStatusError):
    """404 Not Found: no such resource (or a *base_url* that is not the API root)."""


class UnprocessableEntityError(APIStatusError):
    """422 Unprocessable Entity: Thulium understood the request but refused its values."""


class RateLimitError(APIStatusError):
    """429 Too Many Requests: slow down; *retry_after* says for how long, when known."""


class ServerError(APIStatusError):
    """A 5xx status: Thulium, or a proxy in front of it, failed."""


class APIConnectionError(ThuliumError):
    """The request could not be completed over the network.

    Attributes:
        method: the HTTP method of the request.
        url: the URL of the request.
        request_sent: ``False`` when nothing can have reached the server (DNS failure,
            connection refused, TLS handshake, connect timeout); ``True`` when the
            request may have been delivered before the failure.
    """

    def __init__(
        self, message: str, *, method: str, url: str, request_sent: bool
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.request_sent = request_sent


class APITimeoutError(APIConnectionError):
    """An attempt ran out of time (see *request_sent* for whether it was delivered)."""


class UnsendableURLError(APIConnectionError, InvalidInputError):
    """aiohttp refused the request's URL before connecting: nothing was sent.

    Both an :class:`APIConnectionError` (``request_sent`` is ``False``) and an
    :class:`InvalidInputError`: the same URL would be refused again, so it is never
    retried, and never "unknown".
    """


class RateLimiterUnavailableError(ThuliumError):
    """The shared rate limiter (Redis) could not be asked; nothing was sent to Thulium.

    Raised by a :class:`~thulium_async.redis_limit.RedisRateLimiter` without a
    ``fallback_rate``: failing fast is its default, because sending without the shared
    budget could exceed the account's rate. Safe to retry later.

    Attributes:
        redis: where the limiter looked for Redis (``host:port/db``, no password).
    """

    def __init__(self, message: str, *, redis: str) -> None:
        super().__init__(message)
        self.redis = redis


class ResponseDecodeError(ThuliumError):
    """A successful (2xx) response whose body is not what the endpoint documents.

    The message names the offending field(s) and shows the start of the body.

    Attributes:
        method: the HTTP method of the request.
        url: the URL of the request.
        body: a snippet of the raw body.
    """

    def __init__(self, message: str, *, method: str, url: str, body: str) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.body = body


class DeliveryUnknownError(ThuliumError):
    """A non-idempotent request may or may not have been processed.

    Raised for a request that is not idempotent (``schedule_call``, a POST through
    ``client.request``) when the whole request was sent and then the answer was lost (a
    timeout, a dropped connection) or was a 500, 502 or 504, or a 503 that does not say
    it refused (no ``Retry-After``, no Thulium error body). Sending it again could act
    twice (call the customer twice), so the SDK never does that on its own: check in
    Thulium, or decide to send again knowingly. The message says what a repeat would
    do; the original error is ``__cause__``.

    Attributes:
        method: the HTTP method of the request.
        url: the URL of the request.
        status: the HTTP status when the failure was a status, else ``None``.
    """

    def __init__(
        self, message: str, *, method: str, url: str, status: int | None
    ) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.status = status


class RunStoppedError(ThuliumError):
    """A bulk run stopped before sending this item: nothing was sent for it.

    ``schedule_calls`` stops sending when an answer says that no other item can succeed
    either (401 wrong credentials, 403 no permission, 404 no such queue), so that a
    wrong password costs one refused request rather than one per number. Every item
    not sent then gets this error; once the cause is fixed they are safe to send again.

    Attributes:
        reason: the answer that stopped the run (also ``__cause__``).
    """

    def __init__(self, message: str, *, reason: ThuliumError) -> None:
        super().__init__(message)
        self.reason = reason
        self.__cause__ = reason


_CLASS_BY_STATUS: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[APIStatusError]:
    """Return the exception class for an HTTP *status* that is not a success."""
    if status >= 500:
        return ServerError
    return _CLASS_BY_STATUS.get(status, APIStatusError)


# A JSON member whose name says it holds a secret (a webhook's http_auth_password, a
# token, an echoed Authorization header), with a string value: shown in error messages
# with its value hidden.
_SECRET_NAME = re.compile(r"password|secret|token|authorization", re.IGNORECASE)
_SECRET_MEMBER = re.compile(
    r'("[^"]*(?:password|secret|token|authorization)[^"]*"\s*:\s*)"(?:[^"\\]|\\.)*"?',
    re.IGNORECASE,
)
# An Authorization header as a server or proxy echoes it in a page or a text body
# ("Authorization: Basic dXNlcjpwYXNz", 'Authorization': 'Basic ...',
# HTTP_AUTHORIZATION=Basic ...): everything after the name up to the end of the line
# or of the quoted value is hidden, the scheme included, since Basic credentials are
# only base64 of "user:password" and a Digest header names the user.
_AUTHORIZATION = re.compile(
    r"""(authorization["']?[ \t]*[:=][ \t]*["']?)[^\r\n"'<>\\&]+""",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """Whether a field called *name* holds a secret, whose value no message shows."""
    return bool(_SECRET_NAME.search(name))


def snippet(raw: bytes | str, limit: int = _SNIPPET_LENGTH) -> str:
    """Return the start of a body as readable text, for error messages.

    The string value of a member named like a secret (``http_auth_password``,
    ``Authorization``) is hidden, and so are the credentials of an
    ``Authorization`` header echoed in text: an answer that echoes a password must
    not put it in an error or a log.
    """
    text = raw if isinstance(raw, str) else raw.decode("utf-8", errors="replace")
    try:
        text = json.dumps(_hidden(json.loads(text)), ensure_ascii=False)
    except (ValueError, RecursionError):
        # Not JSON, cut short, or nested too deeply to walk: hide what looks like a
        # secret in the text itself. Headers first, while lines still end them.
        text = _AUTHORIZATION.sub(r"\1***", text)
        text = _SECRET_MEMBER.sub(r'\1"***"', " ".join(text.split()))
    return text if len(text) <= limit else text[:limit] + "…"


def _hidden(data: Any) -> Any:
    """*data* with every secret replaced: members named like one, echoed headers."""
    if isinstance(data, dict):
        return {
            key: "***" if is_secret_name(str(key)) else _hidden(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_hidden(item) for item in data]
    if isinstance(data, str) and "authorization" in data.lower():
        return _AUTHORIZATION.sub(r"\1***", data)
    return data


def parse_error_body(raw: bytes) -> Any:
    """Return an error body as JSON when it parses, else as text.

    Error bodies are undocumented (JSON, an HTML page from a proxy, text or nothing), so
    the declared content type is not trusted either way.
    """
    if not raw:
        return ""
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # nested too deep to parse: keep the text
        return text


def vendor_error(body: Any) -> tuple[str | None, tuple[ErrorDetail, ...]]:
    """Return the ``request_id`` and entries of Thulium's documented error body.

    Anything of another shape (a proxy's HTML page, a list, entries without a text
    message) gives ``(None, ())``: the caller then falls back to the raw body.
    """
    if not isinstance(body, dict):
        return None, ()
    entries = body.get("errors")
    request_id = body.get("request_id")
    if not isinstance(entries, list) or not entries:
        return None, ()
    if request_id is not None and not isinstance(request_id, (str, int)):
        return None, ()
    details = []
    for entry in entries:
        if not isinstance(entry, dict):
            return None, ()
        message, code = entry.get("message"), entry.get("code")
        if not isinstance(message, str):
            return None, ()
        if isinstance(code, str) and code.isdigit():
            code = int(code)
        if isinstance(code, bool) or not isinstance(code, int):
            code = None
        details.append(ErrorDetail(code=code, message=message))
    return (None if request_id is None else str(request_id)), tuple(details)
