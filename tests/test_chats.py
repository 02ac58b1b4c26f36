"""chats.list, chats.summary (a bare array, paged), start, stop and delete_content."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from aiohttp import web

from thulium_async import Chat, ChatSummaryRow, InvalidInputError, NotFoundError
from thulium_async.testing import Fault


def row(i: int) -> dict[str, object]:
    return {
        "series": f"2026-11-{i % 28 + 1:02d}",
        "user_name": f"user {i}",
        "incoming": i,
        "chat_time": {"min": "00:00:48", "max": "00:01:00", "sum": "100:00:00"},
        "rating": {"rate": {"sad": 0, "neutral": 1, "happy": 2}},
        "satisfaction": 5,
    }


async def test_summary_reads_every_row_when_pages_are_capped(fake, client):
    fake.respond("chats.summary", [row(i) for i in range(130)])
    fake.cap_limit("chats.summary", 40)
    rows = [
        r
        async for r in client.chats.summary(
            date_from=date(2026, 11, 1),
            date_to=date(2026, 11, 30),
            user_logins=["jkowalski"],
            chat_queue_ids=[1, 3],
            aggregate_by="day",
            sum_users=False,
            response_threshold=50,
        )
    ]
    assert [r.incoming for r in rows] == list(range(130))
    first = rows[0]
    assert isinstance(first, ChatSummaryRow)
    assert first.chat_time is not None
    assert first.chat_time.sum == timedelta(hours=100)
    assert first.rating["rate"]["happy"] == 2
    assert first.fields["satisfaction"] == 5
    sent = fake.requests_to("chats.summary")[0]
    assert sent.query["user_logins[]"] == ["jkowalski"]
    assert sent.query["chat_queue_ids[]"] == ["1", "3"]
    assert sent.query["response_threshold"] == ["50"]


async def test_list_pages_chats_with_their_flags(fake, client):
    fake.respond(
        "chats.list",
        [
            {"conversation_id": f"c{i}", "status": "CLOSED", "messages": []}
            for i in range(3)
        ],
    )
    chats = [c async for c in client.chats.list(status="CLOSED", include_messages=True)]
    assert [c.conversation_id for c in chats] == ["c0", "c1", "c2"]
    assert isinstance(chats[0], Chat)
    assert chats[0].fields["messages"] == []
    sent = fake.requests_to("chats.list")[0]
    assert sent.query["include_messages"] == ["true"]


async def test_start_sends_its_parameters_in_the_query(fake, client):
    conversation = await client.chats.start(3, client_id="1234", customer_id=1)
    assert fake.chats[conversation].client_id == "1234"  # a new one, kept
    (sent,) = fake.requests_to("chats.start")
    assert sent.method == "POST"
    assert sent.query["chat_queue_id"] == ["3"]
    assert sent.query["client_id"] == ["1234"]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.chats.summary(date_from=None, date_to=date(2026, 11, 1)),
        lambda c: c.chats.summary(
            date_from=date(2026, 11, 1), date_to=date(2026, 11, 2), chat_queue_ids=[0]
        ),
        lambda c: c.chats.summary(
            date_from=date(2026, 11, 1), date_to=date(2026, 11, 2), aggregate_by="x"
        ),
        lambda c: c.chats.list(include_files="yes"),
        lambda c: c.chats.list(limit=101),
    ],
)
def test_bad_arguments_are_refused_before_sending(fake, client, call):
    with pytest.raises(InvalidInputError):
        call(client)


async def test_start_refuses_a_bad_queue(fake, client):
    with pytest.raises(InvalidInputError):
        await client.chats.start(0)
    assert fake.requests == []


CONVERSATION = "6ed7c941-2c8a-411e-95d2-338a9f64800a"


async def test_stop_ends_the_conversation_and_is_resent_when_ambiguous(fake, client):
    # Ending an ended conversation leaves it ended: an attempt that may have been
    # processed is sent again rather than reported as unknown.
    fake.fail_next("chats.stop", Fault.processed_then_drop())
    await client.chats.stop(CONVERSATION, external_chatbot_id=CONVERSATION[::-1])
    sent = fake.requests_to("chats.stop")
    assert len(sent) == 2
    assert sent[-1].method == "POST"
    assert sent[-1].path.endswith(f"chat_conversations/{CONVERSATION}/stop")
    assert sent[-1].query["external_chatbot_id"] == [CONVERSATION[::-1]]


async def test_delete_content_names_whose_messages_go(fake, client):
    for participant in ("user", "customer", "both"):
        await client.chats.delete_content(CONVERSATION, participant)
    paths = [r.path for r in fake.requests_to("chats.delete_content")]
    assert [p.rsplit("/", 2)[-2:] for p in paths] == [
        [CONVERSATION, "user"],
        [CONVERSATION, "customer"],
        [CONVERSATION, "both"],
    ]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.chats.delete_content(CONVERSATION, "agent"),
        lambda c: c.chats.delete_content(CONVERSATION, "both/../x"),
        lambda c: c.chats.delete_content("../x", "both"),
        lambda c: c.chats.stop("a b"),
        lambda c: c.chats.stop(CONVERSATION, external_chatbot_id="x/y"),
    ],
)
async def test_stop_and_delete_content_refuse_bad_values_unsent(fake, client, call):
    with pytest.raises(InvalidInputError):
        await call(client)
    assert fake.requests == []


async def test_the_fake_announces_a_conversation_started_and_ended(fake, client):
    received: list[dict[str, object]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await client.webhooks.create(
            ["CHAT_CONVERSATION_CREATED", "CHAT_CONVERSATION_CLOSED"],
            f"http://127.0.0.1:{port}/hook",
        )
        first = await client.chats.start(3, client_name="Jan", client_email="j@x.pl")
        second = await client.chats.start(3)
        await client.chats.stop(first)
        await client.chats.stop(first)  # ended already: nothing new to announce
        await fake.settle_deliveries()
    finally:
        await runner.cleanup()
    assert first != second
    assert [(e["action"], e["conversation_id"]) for e in received] == [
        ("CHAT_CONVERSATION_CREATED", first),
        ("CHAT_CONVERSATION_CREATED", second),
        ("CHAT_CONVERSATION_CLOSED", first),
    ]
    assert received[0]["client_email"] == "j@x.pl"
    assert received[0]["chat_queue_id"] == 3
    assert fake.chats[first].status == "CLOSED"
    with pytest.raises(NotFoundError):  # one the fake never started
        await client.chats.stop("0f0e0d0c-0000-4000-8000-000000000000")
