"""FakeThulium's own behaviour: auth, 404, 400, state recording and every fault kind."""

from __future__ import annotations

import base64

import aiohttp
import pytest

from thulium_async.testing import FakeThulium, Fault


def auth(fake: FakeThulium) -> dict[str, str]:
    token = base64.b64encode(f"{fake.username}:{fake.password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


async def test_listens_on_loopback_with_a_random_port(fake):
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert fake.port > 0
    assert fake.password  # random unless given


async def test_rejects_wrong_credentials_with_401(fake, http):
    async with http.get(f"{fake.base_url}/queues/2/waiting_list") as response:
        assert response.status == 401
    assert fake.requests[0].authorized is False


async def test_unknown_queue_is_404(fake, http):
    url = f"{fake.base_url}/queues/9/waiting_list"
    async with http.get(url, headers=auth(fake)) as response:
        assert response.status == 404


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b"{}",
        b'{"phone_number": 5}',
        b'{"phone_number": "5", "call_at": "tomorrow"}',
    ],
)
async def test_malformed_schedule_body_is_400_and_schedules_nothing(fake, http, body):
    url = f"{fake.base_url}/queues/2/schedule_call"
    async with http.post(url, data=body, headers=auth(fake)) as response:
        assert response.status == 400
    assert fake.scheduled == []


async def test_schedule_answers_empty_200_and_records_the_call(fake, http):
    url = f"{fake.base_url}/queues/2/schedule_call"
    body = b'{"phone_number":"500333222","call_at":"2020-11-06 14:42:11"}'
    async with http.post(url, data=body, headers=auth(fake)) as response:
        assert response.status == 200
        assert await response.read() == b""
    (call,) = fake.scheduled
    assert (call.queue_id, call.phone_number, call.call_at) == (
        2,
        "500333222",
        "2020-11-06 14:42:11",
    )


async def test_callers_can_be_added_and_removed(fake, http):
    fake.add_caller(2, "1", started_at="2026-01-01 10:00:00")
    fake.add_caller(2, "2", started_at="2026-01-01 10:00:01", customer_id=4)
    fake.remove_caller(2, "1")
    url = f"{fake.base_url}/queues/2/waiting_list"
    async with http.get(url, headers=auth(fake)) as response:
        assert await response.json() == [
            {
                "phone_number": "2",
                "started_at": "2026-01-01 10:00:01",
                "customer_id": 4,
                "customer_label": None,
            }
        ]


async def test_status_fault_is_applied_once_then_normal_service(fake, http):
    fake.fail_next(
        "schedule_call", Fault.status_response(429, headers={"Retry-After": "7"})
    )
    url = f"{fake.base_url}/queues/2/schedule_call"
    body = b'{"phone_number":"500333001"}'
    async with http.post(url, data=body, headers=auth(fake)) as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "7"
    assert fake.scheduled == []
    async with http.post(url, data=body, headers=auth(fake)) as response:
        assert response.status == 200
    assert len(fake.scheduled) == 1


async def test_drop_before_processing_records_the_request_but_not_the_call(fake, http):
    fake.fail_next("schedule_call", Fault.drop_before_processing())
    url = f"{fake.base_url}/queues/2/schedule_call"
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await http.post(url, data=b'{"phone_number":"1"}', headers=auth(fake))
    assert len(fake.requests) == 1
    assert fake.scheduled == []


async def test_processed_faults_schedule_then_lose_the_answer(fake, http):
    fake.fail_next(
        "schedule_call", Fault.processed_then_drop(), Fault.processed_then_status(500)
    )
    url = f"{fake.base_url}/queues/2/schedule_call"
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await http.post(url, data=b'{"phone_number":"501"}', headers=auth(fake))
    async with http.post(url, data=b'{"phone_number":"502"}', headers=auth(fake)) as r:
        assert r.status == 500
    assert [c.phone_number for c in fake.scheduled] == ["501", "502"]


async def test_seeded_fault_rate_is_repeatable():
    outcomes = []
    for _ in range(2):
        async with FakeThulium() as fake, aiohttp.ClientSession() as http:
            fake.set_fault_rate(0.5, seed=42, faults=[Fault.status_response(503)])
            url = f"{fake.base_url}/queues/2/waiting_list"
            statuses = []
            for _ in range(20):
                async with http.get(url, headers=auth(fake)) as response:
                    statuses.append(response.status)
            outcomes.append(statuses)
    assert outcomes[0] == outcomes[1]
    assert 503 in outcomes[0]
    assert 200 in outcomes[0]


def test_bad_fault_arguments_are_refused():
    fake = FakeThulium()
    with pytest.raises(ValueError, match="endpoint"):
        fake.fail_next("agents", Fault.drop_before_processing())
    with pytest.raises(ValueError, match="rate"):
        fake.set_fault_rate(1.5)


async def test_pytest_plugin_fixtures_work_together(fake_thulium, thulium_client):
    """The fixtures users get from `pip install thulium-async` plus pytest-asyncio."""
    fake_thulium.add_caller(2, "500333222")
    (caller,) = await thulium_client.queues.waiting_list(2)
    assert caller.phone_number == "500333222"
