"""Which connection failures mean "the request was never fully written" (safe to resend).

aiohttp reports a failure while writing the request in three ways, each pinned here as
aiohttp itself raises it (client_reqrep.ClientRequest.write_bytes wraps an OSError from
writing the body as ``ClientOSError(errno, "Can not write request body for URL")``;
http_writer.StreamWriter raises ``ClientConnectionResetError("Cannot write to closing
transport")`` when the connection closed before the write; a failed send surfaces as
``ClientOSError(EPIPE, ...)`` through the protocol's connection_lost). A non-idempotent
POST is retried after those, and only after those: a reset or an end of stream after
the request was written stays ambiguous, which the real-socket tests at the end pin.
"""

from __future__ import annotations

import asyncio
import errno
import inspect
import socket
import struct

import aiohttp
import pytest
from aiohttp import client_reqrep, http_writer
from yarl import URL

from thulium_async import DeliveryUnknownError, RetryPolicy, ThuliumClient
from thulium_async._areas.queues import SCHEDULE_CALL
from thulium_async._http.retry import Failure, classify
from thulium_async._http.transport import _connection_error

from .conftest import BASE_URL, FAST_RETRY

SCHEDULE = URL(f"{BASE_URL}/queues/2/schedule_call")
URL_TEXT = str(SCHEDULE)


def write_body_failure(cause: OSError) -> aiohttp.ClientOSError:
    """Build the error exactly as ClientRequest.write_bytes does."""
    error = aiohttp.ClientOSError(
        cause.errno, f"Can not write request body for {URL_TEXT}"
    )
    error.__cause__ = cause
    return error


UNWRITTEN = {
    "closing transport, wrapped by write_bytes": write_body_failure(
        aiohttp.ClientConnectionResetError("Cannot write to closing transport")
    ),
    "broken pipe, wrapped by write_bytes": write_body_failure(
        BrokenPipeError(errno.EPIPE, "Broken pipe")
    ),
    "reset while writing the body": write_body_failure(
        ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")
    ),
    "closing transport, raised directly": aiohttp.ClientConnectionResetError(
        "Cannot write to closing transport"
    ),
    "broken pipe, from connection_lost": aiohttp.ClientOSError(
        errno.EPIPE, "Broken pipe"
    ),
    "non-OS failure in write_bytes": aiohttp.ClientConnectionError(
        "Failed to send bytes into the underlying connection <Connection>: "
        "RuntimeError()"
    ),
}

WRITTEN = {
    "reset after writing": aiohttp.ClientOSError(
        errno.ECONNRESET, "Connection reset by peer"
    ),
    "server disconnected": aiohttp.ServerDisconnectedError(),
    "payload cut short": aiohttp.ClientPayloadError(
        "Response payload is not completed"
    ),
}


@pytest.mark.parametrize("exc", UNWRITTEN.values(), ids=UNWRITTEN.keys())
def test_failures_while_writing_mean_nothing_was_processed(exc):
    error = _connection_error("POST", SCHEDULE, exc)
    assert error.request_sent is False
    assert classify(error) is Failure.NOT_SENT
    assert "while the request was being written" in str(error)


@pytest.mark.parametrize("exc", WRITTEN.values(), ids=WRITTEN.keys())
def test_failures_after_writing_stay_ambiguous(exc):
    error = _connection_error("POST", SCHEDULE, exc)
    assert error.request_sent is True
    assert classify(error) is Failure.AMBIGUOUS


def test_the_installed_aiohttp_still_words_its_write_failures_so():
    """If an aiohttp release rewords these, the classification above must follow."""
    assert "Can not write request body" in inspect.getsource(
        client_reqrep.ClientRequest.write_bytes
    )
    assert "Cannot write to closing transport" in inspect.getsource(
        http_writer.StreamWriter
    )


@pytest.mark.parametrize("exc", UNWRITTEN.values(), ids=UNWRITTEN.keys())
async def test_schedule_call_is_resent_after_a_write_failure(mock_http, exc):
    mock_http.post(SCHEDULE, exception=exc)
    mock_http.post(SCHEDULE, status=200, body=b"")
    async with ThuliumClient(BASE_URL, "api_user", "pw", retry=FAST_RETRY) as client:
        await client.queues.schedule_call(2, "500333222")
    assert len(mock_http.requests[("POST", SCHEDULE)]) == 2


@pytest.mark.parametrize("exc", WRITTEN.values(), ids=WRITTEN.keys())
async def test_schedule_call_is_not_resent_after_the_request_was_written(
    mock_http, exc
):
    mock_http.post(SCHEDULE, exception=exc)
    async with ThuliumClient(BASE_URL, "api_user", "pw", retry=FAST_RETRY) as client:
        with pytest.raises(DeliveryUnknownError, match="call the customer twice"):
            await client.queues.schedule_call(2, "500333222")
    assert len(mock_http.requests[("POST", SCHEDULE)]) == 1


async def _serve(handler) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/api"


# aiohttp warns that an 8 MiB bytes body may block the loop; it has to be that long to
# be still going out when the reset comes.
@pytest.mark.filterwarnings("ignore:Sending a large body:ResourceWarning")
async def test_real_socket_reset_mid_body_is_treated_as_ambiguous():
    """A reset while a long body is still going out is reported by the kernel like a
    reset after it: aiohttp cannot tell them apart, so neither can we (conservative)."""
    requests = 0

    async def reset_after_headers(reader, writer):
        nonlocal requests
        requests += 1
        await reader.readuntil(b"\r\n\r\n")
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()

    server, base = await _serve(reset_after_headers)
    async with server, ThuliumClient(base, "u", "p", retry=FAST_RETRY) as client:
        # A body far larger than any endpoint's, sent through the transport: private,
        # as it is the transport's write phase itself that is tested.
        transport = client._transport
        request = client.queues._wiring.route(SCHEDULE_CALL).request((2,))
        with pytest.raises(DeliveryUnknownError):
            await transport.send(request, b"x" * (8 << 20))
    assert requests == 1


async def test_real_socket_close_after_reading_the_request_is_ambiguous():
    requests = 0

    async def read_then_close(reader, writer):
        nonlocal requests
        requests += 1
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        await reader.readexactly(length)  # the whole request: it may have been acted on
        writer.close()

    server, base = await _serve(read_then_close)
    async with (
        server,
        ThuliumClient(
            base, "u", "p", retry=RetryPolicy(max_attempts=4, initial_delay=0.001)
        ) as client,
    ):
        with pytest.raises(DeliveryUnknownError):
            await client.queues.schedule_call(2, "500333222")
    assert requests == 1


async def test_a_connection_idle_past_keepalive_timeout_is_not_reused(fake):
    """What keeps a POST from being written into a connection a proxy is closing."""
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, keepalive_timeout=0.05
    ) as client:
        await client.queues.schedule_call(2, "500333222")
        await asyncio.sleep(0.2)  # idle, on purpose, for four keep-alive timeouts
        await client.queues.schedule_call(2, "500333223")
    first, second = (r.peer_port for r in fake.requests)
    assert first != second


async def test_a_connection_is_reused_within_keepalive_timeout(fake):
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, keepalive_timeout=30.0
    ) as client:
        await client.queues.schedule_call(2, "500333222")
        await client.queues.schedule_call(2, "500333223")
    first, second = (r.peer_port for r in fake.requests)
    assert first == second


def test_the_default_keepalive_is_below_common_proxy_idle_timeouts():
    default = inspect.signature(ThuliumClient).parameters["keepalive_timeout"].default
    assert default <= 0.5


@pytest.mark.parametrize("value", [0, -1, float("inf"), "1"])
def test_a_bad_keepalive_timeout_is_refused(value):
    from thulium_async import InvalidInputError

    with pytest.raises(InvalidInputError, match="keepalive_timeout"):
        ThuliumClient(BASE_URL, "u", "p", keepalive_timeout=value)
