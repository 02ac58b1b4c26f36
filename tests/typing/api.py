"""The public API used as a user would; checked by mypy --strict, never run."""

from __future__ import annotations

from datetime import datetime, timezone

import aiohttp

from thulium_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ClientStats,
    DeliveryUnknownError,
    ErrorDetail,
    InvalidInputError,
    RateLimitError,
    ResponseDecodeError,
    RetryPolicy,
    ThuliumClient,
    ThuliumError,
    WaitingCaller,
)
from thulium_async.testing import FakeThulium, Fault, ScheduledCall


async def app() -> None:
    policy = RetryPolicy(max_attempts=4, initial_delay=0.5, max_delay=30.0)
    async with ThuliumClient(
        "https://acme.thulium.com/api",
        "api_user",
        "api_pass",
        retry=policy,
        timezone="Europe/Warsaw",
        timeout=10.0,
        max_connections=50,
        language="pl",
        keepalive_timeout=0.5,
    ) as client:
        callers: list[WaitingCaller] = await client.queues.waiting_list(2)
        first: datetime = callers[0].started_at
        label: str | None = callers[0].customer_label
        customer: int | None = callers[0].customer_id
        print(first, label, customer)  # noqa: T201
        try:
            await client.queues.schedule_call(
                2,
                "500333222",
                call_at=datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc),
            )
        except DeliveryUnknownError as exc:
            unknown_status: int | None = exc.status
            print(unknown_status, exc.attempts)  # noqa: T201
        except RateLimitError as exc:
            wait: float | None = exc.retry_after
            print(wait)  # noqa: T201
        except APIStatusError as exc:
            print(exc.status, exc.body, exc.method, exc.url)  # noqa: T201
            request_id: str | None = exc.request_id
            details: tuple[ErrorDetail, ...] = exc.errors
            code: int | None = details[0].code if details else None
            message: str = details[0].message if details else ""
            print(request_id, code, message)  # noqa: T201
        except APITimeoutError as exc:
            sent: bool = exc.request_sent
            print(sent)  # noqa: T201
        except (APIConnectionError, ResponseDecodeError, InvalidInputError):
            pass
        except ThuliumError:
            pass
        stats: ClientStats = client.stats
        print(stats.attempts, stats.retries, client.closed, client.base_url)  # noqa: T201
    await client.close()


async def generic() -> None:
    async with ThuliumClient.from_env(timeout=5.0) as client:
        answer: object = await client.request(
            "GET", "agents/jkowalski/status", params={"limit": 100, "x": True}
        )
        print(answer)  # noqa: T201
        await client.request("POST", "agents/jkowalski/pause", json={"pause_id": 2})


async def shared_session(session: aiohttp.ClientSession) -> None:
    client = ThuliumClient("https://acme.thulium.com/api", "u", "p", session=session)
    await client.close()


async def testing() -> None:
    async with FakeThulium(queues=[2, 3]) as fake:
        fake.add_caller(2, "500333222", customer_id=1, customer_label="Jan")
        fake.fail_next("schedule_call", Fault.processed_then_status(500))
        fake.set_fault_rate(0.3, seed=1)
        calls: list[ScheduledCall] = fake.calls_to("500333222")
        print(calls, fake.base_url, fake.username, fake.password)  # noqa: T201
