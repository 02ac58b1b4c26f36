"""The CRM fields and filters the vendor's pages document, against FakeThulium:
customers.create's whole body, the include flags, "customers without a number",
company addresses, and webhooks.create's separately optional user and password."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from thulium_async import Address, Company, InvalidInputError


async def test_create_sends_every_documented_field(fake, client):
    await client.customers.create(
        surname="Kowalski",
        gender="M",
        homepage="https://example.com",
        birthdate=date(1980, 5, 17),
        nip="6783144527",
        note="VIP since 2020",
        pesel="80051712345",
        job="Acme",
        job_title="CTO",
        vip=True,
        fill_read_only_custom_fields=True,
        address=Address(street="Zlotej Jesieni", building="7", city="Krakow"),
        invoice_address=Address(city="Warszawa"),
        mail_drop_address=Address(postcode="31-827"),
    )
    (sent,) = fake.requests_to("customers.create")
    body = json.loads(sent.body)
    assert body["birthdate"] == "1980-05-17"
    assert body["vip"] is True
    assert body["fill_read_only_custom_fields"] is True
    assert body["address"] == {
        "street": "Zlotej Jesieni",
        "building": "7",
        "city": "Krakow",
    }
    assert body["invoice_address"] == {"city": "Warszawa"}
    assert body["mail_drop_address"] == {"postcode": "31-827"}
    for name in ("gender", "homepage", "nip", "note", "pesel", "job", "job_title"):
        assert name in body


async def test_customers_without_a_number_are_asked_for_with_an_empty_value(
    fake, client
):
    await client.customers.create(surname="Nonumber")
    await client.customers.create(surname="Numbered", phone_number="500333222")
    first = await client.customers.list(
        phone_number="", include_invoice_address=True, include_mail_drop_address=True
    )
    assert [c.surname for c in first.items] == ["Nonumber"]
    (sent,) = fake.requests_to("customers.list")
    assert sent.query["phone_number"] == [""]
    assert sent.query["include_invoice_address"] == ["true"]
    assert sent.query["include_mail_drop_address"] == ["true"]


async def test_identifier_may_be_empty(fake, client):
    await client.customers.list(identifier="")
    (sent,) = fake.requests_to("customers.list")
    assert sent.query["identifier"] == [""]


async def test_companies_take_their_documented_filters_and_addresses(fake, client):
    fake.respond(
        "companies.get",
        {
            "company_id": 28,
            "name": "Thulium",
            "invoice_address": {"city": "Krakow"},
            "mail_drop_address": {"city": "Warszawa", "building": 7},
        },
    )
    company = await client.companies.get(
        28, include_invoice_address=True, include_mail_drop_address=True
    )
    assert isinstance(company, Company)
    assert company.invoice_address == Address(city="Krakow")
    assert company.mail_drop_address == Address(city="Warszawa", building="7")
    await client.companies.list(
        email="office@example.com",
        phone_number="500333222",
        identifier="",
        include_invoice_address=True,
        include_mail_drop_address=True,
    )
    (sent,) = fake.requests_to("companies.list")
    assert sent.query["email"] == ["office@example.com"]
    assert sent.query["phone_number"] == ["500333222"]
    assert sent.query["identifier"] == [""]


@pytest.mark.parametrize(
    "kwargs", [{"http_auth_user": "hook"}, {"http_auth_password": "secret"}]
)
async def test_webhook_user_and_password_are_each_optional(fake, client, kwargs):
    await client.webhooks.create(
        ["CUSTOMER_CREATED"], "https://example.com/h", **kwargs
    )
    (sent,) = fake.requests_to("webhooks.create")
    assert json.loads(sent.body).keys() >= kwargs.keys()


async def _pages(pages):
    return await pages


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.customers.create(surname="K", birthdate="1980-05-17"),
        lambda c: c.customers.create(surname="K", address={"city": "Krakow"}),
        lambda c: c.customers.create(surname="K", vip="yes"),
        lambda c: _pages(c.customers.list(include_invoice_address="yes")),
        lambda c: _pages(c.companies.list(email="not an address")),
        lambda c: _pages(c.companies.list(identifier="  ")),
        lambda c: _pages(c.companies.list(phone_number="call me")),
        lambda c: _pages(c.companies.list(custom_fields={"a[b]": "x"})),
        lambda c: c.companies.get(28, include_address="yes"),
        lambda c: c.webhooks.create(
            ["CUSTOMER_CREATED"], "https://e.com", http_auth_password=""
        ),
    ],
)
async def test_bad_arguments_are_refused_before_sending(fake, client, call):
    with pytest.raises(InvalidInputError):
        await call(client)
    assert fake.requests == []


async def test_batch_create_and_update_send_checked_customers(fake, client):
    await client.customers.create_many(
        [{"surname": "Kowalski", "vip": True}, {"surname": "Nowak", "name": "Anna"}]
    )
    await client.customers.update_many([{"customer_id": 13, "note": "moved"}])
    (created,) = fake.requests_to("customers.create_many")
    assert json.loads(created.body) == {
        "customers": [
            {"surname": "Kowalski", "vip": True},
            {"name": "Anna", "surname": "Nowak"},
        ]
    }
    (changed,) = fake.requests_to("customers.update_many")
    assert changed.method == "PUT"
    assert json.loads(changed.body) == {
        "customers": [{"note": "moved", "customer_id": 13}]
    }


async def test_a_feed_record_sends_its_payload_as_json_text(fake, client):
    await client.customers.add_feed_record(23, [{"id": "x", "type": "text"}])
    (sent,) = fake.requests_to("customers.add_feed_record")
    assert sent.path == "/api/customers/23/feed_records"
    body = json.loads(sent.body)
    assert body["type"] == "ZOWIE"
    assert json.loads(body["payload"]) == [{"id": "x", "type": "text"}]


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.customers.create_many([]),
        lambda c: c.customers.create_many([{"name": "no surname"}]),
        lambda c: c.customers.create_many([{"surname": "K", "colour": "red"}]),
        lambda c: c.customers.update_many([{"note": "no id"}]),
        lambda c: c.customers.update_many([{"customer_id": 0}]),
        lambda c: c.customers.add_feed_record(23, 42),
        lambda c: c.customers.add_feed_record(23, "[]", type="OTHER"),
    ],
)
async def test_bad_batches_are_refused_before_sending(fake, client, call):
    with pytest.raises(InvalidInputError):
        await call(client)
    assert fake.requests == []


async def test_custom_fields_filters_go_as_the_pages_write_them(fake, client):
    wanted = {"Kraj": ["POLSKA", "NORWEGIA"], "Miasto": "Kraków"}
    await client.customers.list(custom_fields=wanted)
    await client.companies.list(custom_fields=wanted)
    await client.tickets.list(custom_fields={"ID": ["1", "2"], "Uwagi": "information"})
    for name in ("customers.list", "companies.list"):
        (sent,) = fake.requests_to(name)
        assert sent.query["custom_fields[Kraj][0]"] == ["POLSKA"]
        assert sent.query["custom_fields[Kraj][1]"] == ["NORWEGIA"]
        assert sent.query["custom_fields[Miasto]"] == ["Kraków"]
    (sent,) = fake.requests_to("tickets.list")
    assert sent.query["custom_fields[ID][1]"] == ["2"]
    assert sent.query["custom_fields[Uwagi]"] == ["information"]


@pytest.mark.parametrize(
    "custom_fields", [{}, {"a[b]": "x"}, {"a": 1}, {"a": []}, ["a"], {"a": ["x", 2]}]
)
def test_a_bad_custom_fields_filter_is_refused(fake, client, custom_fields):
    with pytest.raises(InvalidInputError):
        client.customers.list(custom_fields=custom_fields)


@pytest.mark.parametrize(
    "call",
    [
        # A birth date is a day: a datetime (which the system's zone could move to
        # another day) is refused, not cut.
        lambda c: c.customers.create(surname="K", birthdate=datetime(1990, 1, 1, 23)),
        lambda c: c.customers.create_many(
            [{"surname": "K", "birthdate": datetime(1990, 1, 1, 23)}]
        ),
        # A payload that is not JSON is refused by name, not a TypeError.
        lambda c: c.customers.add_feed_record(23, [datetime(2020, 1, 1)]),
        # A path value that cannot be a cache key is refused like any bad one.
        lambda c: c.customers.get({"id": 1}),
        lambda c: c.customers.delete([23]),
    ],
)
async def test_a_wrong_kind_of_value_is_refused_and_nothing_is_sent(fake, client, call):
    with pytest.raises(InvalidInputError):
        await call(client)
    assert fake.requests == []


async def test_a_birth_date_is_sent_as_the_day_given(fake, client):
    await client.customers.create(surname="K", birthdate=date(1990, 1, 2))
    (sent,) = fake.requests_to("customers.create")
    assert json.loads(sent.body)["birthdate"] == "1990-01-02"
