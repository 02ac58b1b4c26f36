"""The endpoints added for the whole API, used as a user would; mypy --strict, never run.

Each result is annotated with the type the declaration says, so that an endpoint whose
method gives ``Any`` (or the wrong model) fails the typing session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thulium_async import (
    CampaignDeletion,
    CampaignRecord,
    CampaignStatus,
    CrmCampaignRecord,
    CrmRecordAddition,
    CrmRecordRemoval,
    DownloadedFile,
    NewCrmRecord,
    RecordRemoval,
    RecordUpdate,
    TemporaryFile,
    ThuliumClient,
)


async def campaigns(client: ThuliumClient) -> None:
    outbounds = client.outbounds
    statuses: list[CampaignStatus] = await outbounds.statuses("00001")
    deleted: list[CampaignDeletion] = await outbounds.delete_many(["00001"])
    queued: bool = deleted[0].queued
    async for record in outbounds.records("00001", status_id=[3]):
        listed: CampaignRecord = record
        print(listed.phone_number, listed.identifier)  # noqa: T201
    await outbounds.remove_record("00001", "+48 500 333 222")
    await outbounds.update_record_by_identifier("00001", "crm-1", status_id=3)
    await outbounds.remove_record_by_identifier("00001", "crm-1")
    await outbounds.remove_agents("00001", ["jkowalski"])
    updates: list[RecordUpdate] = await outbounds.update_records(
        "00001", [{"phone_number": "500333222", "status_id": 3}]
    )
    updated: bool = updates[0].updated
    removals: list[RecordRemoval] = await outbounds.remove_records("00001", ["500"])
    print(statuses, queued, updated, removals)  # noqa: T201


async def crm_campaigns(client: ThuliumClient) -> None:
    outbounds = client.outbounds
    async for record in outbounds.crm_records("00002"):
        crm: CrmCampaignRecord = record
        extra: Any = crm.fields
        print(extra)  # noqa: T201
    record_id: int = await outbounds.add_crm_record("00002", 441, status_id=3)
    await outbounds.update_crm_record("00002", 441, status_id=3)
    added: list[CrmRecordAddition] = await outbounds.add_crm_records(
        "00002", [441, NewCrmRecord(customer_id=445, status_id=3)]
    )
    there: bool = added[0].in_campaign
    removed: list[CrmRecordRemoval] = await outbounds.remove_crm_records("00002", [441])
    print(record_id, there, removed[0].removed)  # noqa: T201


async def chats_and_files(client: ThuliumClient, folder: Path) -> None:
    conversation: str = await client.chats.start(3, client_id="1234")
    await client.chats.stop(conversation)
    await client.chats.delete_content(conversation, "both")
    upload: TemporaryFile = await client.temporary_files.upload(
        b"%PDF-1.7", filename="offer.pdf"
    )
    token: str = upload.token
    saved: DownloadedFile = await client.recordings.download("2026/a.mp3", folder)
    sha256: str = saved.sha256
    async for chunk in client.recordings.stream("2026/a.mp3"):
        data: bytes = chunk
        print(len(data))  # noqa: T201
    print(token, sha256)  # noqa: T201
