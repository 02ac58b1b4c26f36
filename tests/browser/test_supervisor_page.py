"""The supervisor page in a real headless Chromium: callers appear and disappear live.

Run with ``python -m nox -s browser``: it needs Debian's ``chromium`` and
``chromium-driver`` packages (``/usr/bin/chromium``, ``/usr/bin/chromedriver``) and
downloads nothing else. ``THULIUM_SCREENSHOT=path.png`` saves what the browser shows.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile

import pytest

from examples.fastapi_app.app import Settings, create_app
from thulium_async.testing import FakeThulium

from ..serve_app import serve_app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def start_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.fail(
            "install Debian's chromium and chromium-driver (see the nox session)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=900,500",
        f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}",
    ):
        options.add_argument(flag)
    # An explicit driver path: Selenium Manager must not try to download one.
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


async def wait_for(driver, predicate, what: str, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if await asyncio.to_thread(predicate, driver):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the page never showed {what}")


def phones(driver) -> list[str]:
    # One script reads every row at once: the page re-renders the table on each
    # event, so element handles found first and read later can go stale in between.
    return list(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('#callers tr'),"
            " (row) => row.dataset.phone);"
        )
    )


def agent_states(driver) -> dict[str, str]:
    return dict(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('#agents tr'),"
            " (row) => [row.dataset.login, row.dataset.status]);"
        )
    )


async def test_callers_appear_and_disappear_on_the_live_page():
    async with FakeThulium() as fake:
        fake.add_caller(2, "500333222", customer_label="Jan Kowalski")
        fake.add_agent("jkowalski", status="FREE")
        fake.add_agent("anowak", status="INBOUND_CALL")
        fake.respond(
            "queues.waiting_stats", {"in_queue": 2, "approx_wait_time": "00:01:10"}
        )
        settings = Settings(
            base_url=fake.base_url,
            username=fake.username,
            password=fake.password,
            watch_interval=0.1,
            agents=["jkowalski", "anowak"],
        )
        async with serve_app(create_app(settings)) as url:
            driver = await asyncio.to_thread(start_browser)
            try:
                await asyncio.to_thread(driver.get, f"{url}/supervisor/2")
                await wait_for(driver, lambda d: phones(d) == ["500333222"], "Jan")
                await wait_for(
                    driver,
                    lambda d: (
                        agent_states(d)
                        == {"jkowalski": "FREE", "anowak": "INBOUND_CALL"}
                    ),
                    "the agents",
                )
                fake.set_agent_status("jkowalski", "PAUSED", pause_id=1)
                await wait_for(
                    driver,
                    lambda d: agent_states(d).get("jkowalski") == "PAUSED",
                    "the agent pausing",
                )
                fake.add_caller(2, "600111222", customer_label="Acme Sp. z o.o.")
                await wait_for(
                    driver,
                    lambda d: phones(d) == ["600111222", "500333222"],
                    "the new caller",
                )
                if path := os.environ.get("THULIUM_SCREENSHOT"):
                    await asyncio.to_thread(driver.save_screenshot, path)
                fake.remove_caller(2, "500333222")
                await wait_for(
                    driver, lambda d: phones(d) == ["600111222"], "Jan leaving"
                )
            finally:
                await asyncio.to_thread(driver.quit)


def event_lines(driver) -> list[list[str]]:
    return [
        list(pair)
        for pair in driver.execute_script(
            "return Array.from(document.querySelectorAll('#events li'),"
            " (li) => [li.dataset.action, li.textContent]);"
        )
    ]


async def test_webhook_events_appear_live_on_the_page():
    from thulium_async import ThuliumClient

    async with FakeThulium() as fake:
        settings = Settings(
            base_url=fake.base_url,
            username=fake.username,
            password=fake.password,
            watch_interval=0.1,
            webhook_user="thulium",
            webhook_password="hook-secret",
        )
        async with (
            serve_app(create_app(settings)) as url,
            ThuliumClient(fake.base_url, fake.username, fake.password) as client,
        ):
            await client.webhooks.create(
                ["CUSTOMER_CREATED", "TICKET_CREATED", "TICKET_MESSAGE_RECEIVED"],
                f"{url}/thulium/events",
                http_auth_user="thulium",
                http_auth_password="hook-secret",
            )
            driver = await asyncio.to_thread(start_browser)
            try:
                await asyncio.to_thread(driver.get, f"{url}/supervisor/2")
                await wait_for(
                    driver,
                    lambda d: d.execute_script(
                        "return document.getElementById('no-events').hidden === false;"
                    ),
                    "the empty events list",
                )
                customer = await client.customers.create(surname="Nowak")
                await wait_for(
                    driver,
                    lambda d: [a for a, _ in event_lines(d)] == ["CUSTOMER_CREATED"],
                    "the new customer",
                )
                ticket = await client.tickets.create(
                    to="support@acme.example", subject="Invoice", body="Where?",
                    customer_id=customer,
                )  # fmt: skip
                await client.tickets.reply(ticket, body="Here.", user_login="jkowalski")
                await wait_for(
                    driver,
                    lambda d: (
                        [a for a, _ in event_lines(d)]
                        == [
                            "TICKET_MESSAGE_RECEIVED",
                            "TICKET_CREATED",
                            "CUSTOMER_CREATED",
                        ]
                    ),
                    "the ticket events, newest first",
                )
                texts = [text for _, text in event_lines(driver)]
                assert texts[0].endswith(f"ticket {ticket}: new message")
                assert texts[2].endswith(f"new customer {customer}")
                if path := os.environ.get("THULIUM_EVENTS_SCREENSHOT"):
                    await asyncio.to_thread(driver.save_screenshot, path)
            finally:
                await asyncio.to_thread(driver.quit)
        assert [d.status for d in fake.deliveries] == [200, 200, 200]
