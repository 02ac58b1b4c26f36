"""users.get against FakeThulium: the vendor's example, and a login checked first."""

from __future__ import annotations

import pytest

from thulium_async import InvalidInputError, SipAccount, User


async def test_a_user_and_their_sip_accounts(fake, client):
    user = await client.users.get("jkowalski")  # the vendor's example, by default
    assert user == User(
        login="jkowalski",
        name="Jan",
        surname="Kowalski",
        sip_accounts=(
            SipAccount(phone_number="124", phone_type="hardphone"),
            SipAccount(phone_number="125", phone_type="softphone"),
        ),
    )
    (sent,) = fake.requests_to("users.get")
    assert sent.path == "/api/users/jkowalski"


async def test_a_number_sent_as_a_number_reads_as_text(fake, client):
    fake.respond("users.get", {"login": "a", "sip_accounts": [{"phone_number": 124}]})
    user = await client.users.get("a")
    assert user.sip_accounts == (SipAccount(phone_number="124"),)


@pytest.mark.parametrize("login", ["", "../x", "a b", 7])
async def test_a_bad_login_is_refused_before_sending(fake, client, login):
    with pytest.raises(InvalidInputError):
        await client.users.get(login)
    assert fake.requests == []
