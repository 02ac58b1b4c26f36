"""FakeThulium's state and its one rule for answering from a sample or from state."""

from __future__ import annotations

import pytest

from thulium_async import NotFoundError
from thulium_async._fake_state import CampaignRecord, Customer, Ticket
from thulium_async.testing import FakeThulium

VENDOR_AGENT_LOGIN = "jkowalski"  # the login in agents.get's vendor example


async def test_a_read_answers_its_sample_until_its_state_holds_something(fake, client):
    """agents.get answers the vendor's example while the fake has no agents, then
    only from its agents: an unknown login is a 404, never the sample."""
    assert (await client.agents.get("nobody")).login == VENDOR_AGENT_LOGIN
    fake.add_agent("akowalski", name="Anna")
    assert (await client.agents.get("akowalski")).name == "Anna"
    with pytest.raises(NotFoundError):
        await client.agents.get("nobody")


async def test_respond_wins_over_state_on_every_endpoint(fake, client):
    """What a test sets with respond is answered even where the fake keeps state,
    the queues' included, and the state is left alone."""
    fake.add_caller(2, "500333222")
    fake.respond("queues.waiting_list", [])
    assert await client.queues.waiting_list(2) == []
    fake.respond("schedule_call", None)
    await client.queues.schedule_call(2, "500111222")
    assert fake.scheduled == []
    assert len(fake.waiting[2]) == 1


async def test_an_action_always_acts_on_state(fake, client):
    """customers.create adds a typed customer to an empty CRM."""
    customer_id = await client.customers.create(surname="Nowak")
    assert isinstance(fake.customers[customer_id], Customer)
    assert fake.customers[customer_id].surname == "Nowak"


def test_records_read_and_change_as_their_json():
    """A record of the state reads as the JSON it is answered as, and a field set by
    its JSON name sets the typed field."""
    fake = FakeThulium()
    ticket_id = fake.add_ticket("Hello", "Hi", sender="jan@example.org")
    ticket = fake.tickets[ticket_id]
    assert ticket["from"] == ticket.sender == "jan@example.org"
    assert ticket["messages"][0]["type"] == "MAIL"
    assert "status_id" not in ticket  # answered only once an update sets it
    ticket["status_id"] = 3
    assert ticket.status_id == 3
    customer_id = fake.add_customer("Nowak")
    assert fake.customers[customer_id]["company_id"] == ""  # none, as the vendor
    assert fake.customers[customer_id] == fake.customers[customer_id].as_json()


def test_a_plain_mapping_put_into_the_state_becomes_a_record():
    """Tests written against the fake's dicts still put dicts in: each store makes
    them records, what they leave out taking the field's default or None."""
    fake = FakeThulium()
    fake.tickets[7] = {"ticket_id": 7, "subject": "a", "messages": [{"body": "x"}]}
    assert isinstance(fake.tickets[7], Ticket)
    assert fake.tickets[7].messages[0].body == "x"
    assert fake.tickets[7]["created_at"] is None
    fake.campaigns["00001"].append({"record_id": 9, "phone_number": "441"})
    fake.campaigns["00001"].extend([{"phone_number": "442"}])
    held = fake.campaigns["00001"]
    assert all(isinstance(record, CampaignRecord) for record in held)
    assert [r.phone_number for r in held] == ["441", "442"]


async def test_tickets_put_in_by_a_test_are_listed(fake, client):
    fake.tickets[1] = {"ticket_id": 1, "subject": "a", "updated_at": "2026-11-23 09:30"}
    page = await client.tickets.list()
    assert [t.ticket_id for t in page.items] == [1]
