"""The client's lifecycle, configuration checks and secret hygiene."""

from __future__ import annotations

import asyncio
import base64
import gc
import logging
import ssl
import warnings
from datetime import datetime, timezone

import aiohttp
import pytest

from thulium_async import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    RetryPolicy,
    ThuliumClient,
    ThuliumError,
)
from thulium_async.testing import FakeThulium, Fault

from .conftest import BASE_URL, FAST_RETRY
from .sessions import record_sessions


def test_construction_outside_a_loop_opens_nothing(monkeypatch):
    """A client can be built anywhere; its session waits for the first request."""
    sessions = record_sessions(monkeypatch)
    client = ThuliumClient(BASE_URL, "u", "p")
    assert sessions == []
    assert not client.closed


def test_repr_and_errors_never_show_the_password():
    client = ThuliumClient(BASE_URL, "api_user", "hunter2-secret")
    token = base64.b64encode(b"api_user:hunter2-secret").decode()
    text = repr(client)
    assert "hunter2-secret" not in text
    assert token not in text
    assert "api_user" in repr(client)
    assert "https://acme.thulium.com/api/" in repr(client)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"timeout": None}, "timeout"),
        ({"connect_timeout": -1}, "connect_timeout"),
        ({"max_connections": 0}, "max_connections"),
        ({"max_connections": True}, "max_connections"),
        ({"retry": {"max_attempts": 3}}, "RetryPolicy"),
        ({"timezone": "Nowhere/Void"}, "time zone"),
        ({"session": object()}, "ClientSession"),
        ({"ssl_context": "/etc/ssl/ca.pem"}, "SSLContext"),
        ({"max_response_size": 0}, "max_response_size"),
    ],
)
def test_bad_configuration_is_refused(kwargs, fragment):
    with pytest.raises(InvalidInputError, match=fragment):
        ThuliumClient(BASE_URL, "u", "p", **kwargs)


@pytest.mark.parametrize(
    ("username", "password"), [("", "p"), ("a:b", "p"), (None, "p"), ("u", None)]
)
def test_bad_credentials_arguments_are_refused(username, password):
    with pytest.raises(InvalidInputError):
        ThuliumClient(BASE_URL, username, password)


async def test_close_is_idempotent_and_use_after_close_says_so(fake):
    client = ThuliumClient(fake.base_url, fake.username, fake.password)
    await client.queues.waiting_list(2)
    await client.close()
    await client.close()
    assert client.closed
    assert "closed" in repr(client)
    with pytest.raises(ThuliumError, match="closed"):
        await client.queues.waiting_list(2)


async def test_close_without_use_is_fine():
    client = ThuliumClient(BASE_URL, "u", "p")
    await client.close()


async def test_exit_on_the_exception_path_closes_the_session(fake, monkeypatch):
    sessions = record_sessions(monkeypatch)
    client = ThuliumClient(fake.base_url, fake.username, fake.password)

    async def use_then_fail() -> None:
        async with client:
            await client.queues.waiting_list(2)
            raise RuntimeError("boom")

    await client.queues.waiting_list(2)
    (session,) = sessions
    with pytest.raises(RuntimeError, match="boom"):
        await use_then_fail()
    assert session.closed


def test_use_from_a_second_event_loop_is_a_clear_error():
    """A client reused across asyncio.run() calls says so, instead of hanging."""

    async def serve_and_call(fake_box, client_box):
        fake = FakeThulium()
        await fake.start()
        fake_box.append(fake)
        client = ThuliumClient(fake.base_url, fake.username, fake.password)
        client_box.append(client)
        try:
            await client.queues.waiting_list(2)
        finally:
            await fake.stop()

    fakes: list[FakeThulium] = []
    clients: list[ThuliumClient] = []
    asyncio.run(serve_and_call(fakes, clients))
    client = clients[0]

    async def second_loop():
        with pytest.raises(ThuliumError, match="another event loop"):
            await client.queues.waiting_list(2)

    asyncio.run(second_loop())

    async def close_in_any_loop():
        await client.close()

    # The session belongs to the dead first loop; closing marks the client closed and
    # must not raise. aiohttp may warn about the session it can no longer close.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        asyncio.run(close_in_any_loop())
        # The client's own reference to the dead loop's session is private, and no
        # public call drops it (closing cannot close it there): dropped by hand so
        # that it is collected here, under this warning filter.
        client._sessions._session = None
        gc.collect()
    assert client.closed


async def test_a_users_own_session_is_used_and_never_closed(fake):
    async with aiohttp.ClientSession() as session:
        async with ThuliumClient(
            fake.base_url, fake.username, fake.password, session=session
        ) as client:
            await client.queues.schedule_call(2, "500333222")
        assert not session.closed
        assert len(fake.scheduled) == 1


async def test_a_users_closed_session_is_a_clear_error(fake):
    session = aiohttp.ClientSession()
    await session.close()
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, session=session
    ) as client:
        with pytest.raises(ThuliumError, match=r"session=\.\.\.\) is closed"):
            await client.queues.waiting_list(2)


async def test_a_users_session_defaults_do_not_leak_into_requests(fake):
    """Our per-request auth and timeout win over the session's own settings."""
    async with aiohttp.ClientSession(
        headers={"Authorization": "Basic d3Jvbmc6d3Jvbmc="},
        timeout=aiohttp.ClientTimeout(total=0.001),
    ) as session:
        fake.fail_next("waiting_list", Fault.delay_then_process(0.05))
        async with ThuliumClient(
            fake.base_url, fake.username, fake.password, session=session
        ) as client:
            assert await client.queues.waiting_list(2) == []


async def test_wrong_password_is_an_authentication_error_without_the_password(fake):
    async with ThuliumClient(fake.base_url, fake.username, "wrong-pass-123") as client:
        with pytest.raises(AuthenticationError) as info:
            await client.queues.waiting_list(2)
    assert "wrong-pass-123" not in str(info.value)
    assert info.value.attempts == 1


async def test_unknown_queue_is_not_found(client):
    with pytest.raises(NotFoundError):
        await client.queues.waiting_list(999)


async def test_secrets_never_reach_logs_or_errors_on_any_error_path(fake, caplog):
    """Every error path with DEBUG logging on: no password, header or token anywhere."""
    caplog.set_level(logging.DEBUG)
    password = "very-Secret-pw"
    token = base64.b64encode(f"{fake.username}:{password}".encode()).decode()
    fake.password = password
    fake._expected_auth = f"Basic {token}"
    errors: list[BaseException] = []
    policy = RetryPolicy(max_attempts=2, initial_delay=0, max_delay=0)
    async with ThuliumClient(
        fake.base_url, fake.username, password, retry=policy, timeout=0.3
    ) as client:
        for fault in (
            Fault.status_response(429, headers={"Retry-After": "0"}),
            Fault.html_error_page(),
            Fault.processed_then_drop(),
            Fault.processed_then_stall(5),
            Fault.status_response(401),
        ):
            fake.fail_next("schedule_call", fault, fault)
            fake.fail_next("waiting_list", fault, fault)
            for call in (
                client.queues.schedule_call(2, "500333222"),
                client.queues.waiting_list(2),
            ):
                try:
                    await call
                except ThuliumError as exc:
                    errors.append(exc)
    assert errors
    texts = [caplog.text, repr(client)]
    for error in errors:
        texts += [str(error), repr(error), str(vars(error)), str(error.__cause__)]
        texts += getattr(error, "__notes__", [])
    for text in texts:
        assert password not in text
        assert token not in text


async def test_call_at_conversion_reaches_the_server(client, fake):
    await client.queues.schedule_call(
        2, "500333222", call_at=datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc)
    )
    assert fake.scheduled[0].call_at == "2026-11-23 09:30:00"


async def test_custom_ssl_context_reaches_the_connector(fake, monkeypatch):
    context = ssl.create_default_context()
    sessions = record_sessions(monkeypatch)
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, ssl_context=context
    ) as client:
        await client.queues.waiting_list(2)  # the session opens on first use
        (session,) = sessions
        assert session.connector is not None
        assert session.connector._ssl is context  # type: ignore[attr-defined]
        assert session.connector.limit == 100


def test_policy_is_exposed_as_given():
    client = ThuliumClient(BASE_URL, "u", "p", retry=FAST_RETRY)
    assert client.retry is FAST_RETRY


async def test_with_options_shares_the_session_but_not_the_settings(fake, monkeypatch):
    from thulium_async import APITimeoutError

    sessions = record_sessions(monkeypatch)
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, timeout=5.0, retry=FAST_RETRY
    ) as client:
        quick = client.with_options(timeout=0.2, retry=RetryPolicy(max_attempts=1))
        assert (quick.timeout, quick.retry.max_attempts) == (0.2, 1)
        assert (client.timeout, client.retry) == (5.0, FAST_RETRY)
        await client.queues.waiting_list(2)
        await quick.queues.waiting_list(2)
        assert len(sessions) == 1  # the view opened none of its own
        assert len({r.peer_port for r in fake.requests}) == 1  # one pooled connection
        assert client.stats is quick.stats  # one client's counters

        fake.fail_next("waiting_list", Fault.delay_then_process(0.5))
        with pytest.raises(APITimeoutError):
            await quick.queues.waiting_list(2)  # its short timeout, and no retry
        fake.fail_next("waiting_list", Fault.delay_then_process(0.5))
        assert await client.queues.waiting_list(2) == []  # the client's own timeout

        await quick.close()  # a view closes nothing
        assert not client.closed
        assert await client.queues.waiting_list(2) == []
    assert quick.closed  # closing the client closes its views' connections too


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [({"timeout": 0}, "timeout"), ({"retry": 3}, "RetryPolicy")],
)
def test_with_options_refuses_bad_settings(kwargs, fragment):
    client = ThuliumClient(BASE_URL, "u", "p")
    with pytest.raises(InvalidInputError, match=fragment):
        client.with_options(**kwargs)


def test_the_namespaces_are_the_registrys_and_a_view_has_its_own():
    """Built from _areas.NAMESPACES alone: each attribute holds its class, a
    with_options view holds copies, and each slot's doc names every public method."""
    from thulium_async._areas import NAMESPACES

    client = ThuliumClient(BASE_URL, "u", "p")
    view = client.with_options(timeout=1.0)
    for name, cls in NAMESPACES:
        assert type(getattr(client, name)) is cls
        assert type(getattr(view, name)) is cls
        assert getattr(view, name) is not getattr(client, name)
        doc = ThuliumClient.__slots__[name]
        for method in vars(cls):
            if not method.startswith("_"):
                assert f".{cls.__name__}.{method}`" in doc, (name, method)
