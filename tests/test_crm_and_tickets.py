"""The CRM and the ticket desk against FakeThulium: typed answers, writes never resent,
deletes safe to repeat, bad input refused before anything is sent."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from thulium_async import (
    DeliveryUnknownError,
    InvalidInputError,
    MessageType,
    NotFoundError,
)
from thulium_async.testing import Fault

SAMPLES = Path(__file__).parent / "samples"
WARSAW = ZoneInfo("Europe/Warsaw")


def sample(name):
    return json.loads((SAMPLES / name / "vendor_example.json").read_text())


async def test_a_ticket_reads_as_the_vendor_writes_it(fake, client):
    fake.respond("tickets.get", sample("tickets.get"))
    ticket = await client.tickets.get(1234, include_custom_fields=True)
    assert ticket.from_ == "john.doe@foo.bar"
    assert ticket.status_id == 2  # "2" on the wire
    assert ticket.close_time == timedelta(hours=123, minutes=33, seconds=44)
    assert ticket.created_at == datetime(2014, 7, 8, 8, 5, tzinfo=WARSAW)
    assert [m.type for m in ticket.messages] == [MessageType.COMMENT] * 2
    (request,) = fake.requests_to("tickets.get")
    assert request.query == {"include_custom_fields": ["true"]}


async def test_the_crm_writes_empty_strings_for_none(fake, client):
    fake.respond("customers.get", sample("customers.get"))
    customer = await client.customers.get(273)
    assert (customer.company_id, customer.updated_at, customer.identifier) == (
        None,
        None,
        None,
    )
    assert customer.custom_fields["Dodatkowe informacje"].startswith("Numer")
    assert customer.phone_numbers == ("222333444", "213443523")


async def test_the_screen_pop_finds_the_caller(fake, client):
    fake.respond("customers.list", sample("customers.list"))
    page = await client.customers.list(phone_number="+48 222 333 444")
    assert page.items[0].surname == "Kowalski"
    (request,) = fake.requests_to("customers.list")
    assert request.query["phone_number"] == ["+48222333444"]
    assert request.query["limit"] == ["1000"]


@pytest.mark.parametrize(
    ("call", "word"),
    [
        (lambda c: c.customers.list(email="not-an-address"), "email"),
        (lambda c: c.customers.list(phone_number="call me"), "phone_number"),
        (lambda c: c.customers.list(limit=1001), "limit"),
        (lambda c: c.tickets.list(status_id="2"), "status_id"),
        (lambda c: c.tickets.list(source="fax"), "source"),
        (lambda c: c.tickets.list(limit=101), "limit"),
    ],
)
async def test_bad_filters_are_refused_at_once(fake, client, call, word):
    with pytest.raises(InvalidInputError, match=word):
        call(client)
    assert fake.requests == []


async def test_a_reply_with_a_bad_body_type_is_refused(fake, client):
    with pytest.raises(InvalidInputError, match="body_type"):
        await client.tickets.reply(5, body="x", user_login="akowalski", body_type="MD")
    assert fake.requests == []


async def test_user_text_travels_as_json_never_in_the_url(fake, client):
    fake.respond("tickets.create", {"ticket_id": 77})
    subject = "Zażółć?&x=1 #1"
    ticket_id = await client.tickets.create(
        to="desk@example.com", subject=subject, body="<b>hi</b>", body_type="HTML"
    )
    assert ticket_id == 77
    (request,) = fake.requests_to("tickets.create")
    assert request.query == {}
    assert json.loads(request.body)["subject"] == subject


@pytest.mark.parametrize(
    ("name", "call", "words"),
    [
        (
            "tickets.create",
            lambda c: c.tickets.create(to="d@example.com", subject="s", body="b"),
            "open a duplicate ticket",
        ),
        (
            "tickets.reply",
            lambda c: c.tickets.reply(5, body="b", user_login="akowalski"),
            "e-mail the customer twice",
        ),
        (
            "customers.create",
            lambda c: c.customers.create(surname="Kowalski"),
            "create a duplicate customer record",
        ),
    ],
)
async def test_writes_are_never_resent_and_say_what_a_repeat_would_do(
    fake, client, name, call, words
):
    fake.fail_next(name, Fault.processed_then_status(500))
    with pytest.raises(DeliveryUnknownError, match=words):
        await call(client)
    assert len(fake.requests_to(name)) == 1


async def test_customers_create_returns_the_id_when_the_answer_has_one(fake, client):
    fake.respond("customers.create", {"customer_id": "501"})
    assert await client.customers.create(surname="Nowak") == 501
    fake.respond("customers.create", [])  # an answer without an id
    assert await client.customers.create(surname="Nowak") is None


async def test_a_customer_created_reads_back_and_finds_by_phone(fake, client):
    customer_id = await client.customers.create(
        surname="Kowalski", phone_number="500 333 222", custom_fields={"VIP": "yes"}
    )
    assert customer_id in fake.customers
    customer = await client.customers.get(customer_id)
    assert customer.custom_fields == {"VIP": "yes"}
    page = await client.customers.list(phone_number="500333222")
    assert [c.customer_id for c in page.items] == [customer_id]
    await client.customers.delete(customer_id)
    assert customer_id not in fake.customers


async def test_the_fake_refuses_a_bad_number_in_the_vendor_words(fake, client):
    from thulium_async import BadRequestError

    # Refused by the fake's check against the document, with the vendor's words (#28).
    with pytest.raises(BadRequestError, match="Wrong format of phone number"):
        await client.request(
            "POST", "customers", json={"surname": "K", "phone_number": "abc"}
        )


async def test_a_ticket_opened_answered_and_read_back(fake, client):
    ticket_id = await client.tickets.create(
        to="desk@example.com", subject="Broken", body="It broke"
    )
    await client.tickets.reply(ticket_id, body="Fixed", user_login="akowalski")
    ticket = await client.tickets.get(ticket_id)
    assert [(m.type, m.body) for m in ticket.messages] == [
        (MessageType.MAIL, "It broke"),
        (MessageType.REPLY, "Fixed"),
    ]


async def test_batch_delete_reports_per_id_from_the_fakes_records(fake, client):
    kept = fake.add_customer("Nowak")
    gone = fake.add_customer("Kowalski")
    results = await client.customers.delete_many([gone, 999])
    assert [(r.customer_id, r.deleted) for r in results] == [(gone, True), (999, False)]
    assert set(fake.customers) == {kept}


async def test_a_delete_whose_retry_finds_the_customer_gone_counts_as_done(
    fake, client
):
    """First the delete works and its answer is lost; the retry then answers 404."""
    fake.fail_next(
        "customers.delete",
        Fault.processed_then_status(502),
        Fault.status_response(404, body='{"errors": [{"message": "Not found"}]}'),
    )
    await client.customers.delete(273)  # no error: the customer is gone
    assert len(fake.requests_to("customers.delete")) == 2


async def test_a_delete_of_a_customer_that_never_was_is_not_found(fake, client):
    """The other order: the very first answer is the 404, which is the truth."""
    fake.fail_next(
        "customers.delete",
        Fault.status_response(404, body='{"errors": [{"message": "Not found"}]}'),
    )
    with pytest.raises(NotFoundError):
        await client.customers.delete(273)
    assert len(fake.requests_to("customers.delete")) == 1


async def test_delete_many_reports_each_id(fake, client):
    fake.respond("customers.delete_many", sample("customers.delete_many"))
    results = await client.customers.delete_many([13, 14, 13])
    assert [(r.customer_id, r.http_status, r.deleted) for r in results] == [
        (13, 204, True),
        (14, 404, False),
    ]
    assert results[1].message == "Customer not found."
    (request,) = fake.requests_to("customers.delete_many")
    assert request.method == "DELETE"
    assert request.query == {"customer_id[]": ["13", "14"]}


@pytest.mark.parametrize("bad", [[], [0], ["13"], "13", [True]])
async def test_delete_many_refuses_bad_ids(fake, client, bad):
    with pytest.raises(InvalidInputError):
        await client.customers.delete_many(bad)
    assert fake.requests == []


async def test_a_company_and_its_address(fake, client):
    fake.respond("companies.get", sample("companies.get"))
    company = await client.companies.get(456, include_address=True)
    assert company.address is not None
    assert company.address.city == "Warszawa"
    assert company.address.flat is None
    assert company.nip == "6783144527"


async def test_a_processed_write_cut_off_exists_once_in_the_fakes_records(fake, client):
    fake.fail_next("tickets.create", Fault.processed_then_drop())
    with pytest.raises(DeliveryUnknownError):
        await client.tickets.create(to="desk@example.com", subject="s", body="b")
    assert len(fake.tickets) == 1  # processed once, never sent again
    fake.fail_next("customers.create", Fault.processed_then_stall(30))
    fast = client.with_options(timeout=0.2)
    with pytest.raises(DeliveryUnknownError):
        await fast.customers.create(surname="Kowalski")
    assert len(fake.customers) == 1
