"""Binary both ways (#29): uploads, recording downloads and streams, screenshots.

Against FakeThulium on 127.0.0.1: what the fake received and served is the truth.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from thulium_async import (
    APIConnectionError,
    DeliveryUnknownError,
    DownloadedFile,
    InvalidInputError,
    NotFoundError,
    RateLimitError,
    ResponseDecodeError,
    TemporaryFile,
    ThuliumClient,
)
from thulium_async._http.wire import basic_auth_header
from thulium_async.testing import SCREENSHOT_JPEG, FakeThulium, Fault

from .conftest import FAST_RETRY, until


def _files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


async def test_upload_bytes_reaches_the_fake_and_returns_its_token(
    client: ThuliumClient, fake: FakeThulium
) -> None:
    """Bytes are sent as application/octet-stream with the name as ?filename=."""
    uploaded = await client.temporary_files.upload(b"file content", filename="a.txt")
    assert isinstance(uploaded, TemporaryFile)
    assert uploaded.size == 12
    assert fake.temporary_files[uploaded.token] == {
        "filename": "a.txt",
        "data": b"file content",
    }
    (request,) = fake.requests_to("temporary_files.upload")
    assert request.headers["Content-Type"] == "application/octet-stream"
    assert request.query == {"filename": ["a.txt"]}


async def test_upload_a_path_streams_the_file_with_its_length(
    client: ThuliumClient, fake: FakeThulium, tmp_path: Path
) -> None:
    """A path is read as it is sent, with its size as Content-Length."""
    data = bytes(range(256)) * 3500  # 896 kB: several chunks, under the fake's 1 MB
    path = tmp_path / "invoice.pdf"
    path.write_bytes(data)
    uploaded = await client.temporary_files.upload(path, filename="invoice.pdf")
    assert fake.temporary_files[uploaded.token]["data"] == data
    (request,) = fake.requests_to("temporary_files.upload")
    assert request.headers["Content-Length"] == str(len(data))


async def test_upload_an_async_iterator_sends_what_it_yields(
    client: ThuliumClient, fake: FakeThulium
) -> None:
    """An async iterator's chunks arrive in order (chunked transfer encoding)."""

    async def chunks() -> AsyncIterator[bytes]:
        for number in range(100):
            yield f"line {number}\n".encode()

    uploaded = await client.temporary_files.upload(chunks(), filename="log.txt")
    expected = "".join(f"line {n}\n" for n in range(100)).encode()
    assert fake.temporary_files[uploaded.token]["data"] == expected
    assert uploaded.size == len(expected)


async def test_upload_of_a_path_is_retried_from_its_first_byte(
    client: ThuliumClient, fake: FakeThulium, tmp_path: Path
) -> None:
    """A 429 refused the first attempt: the second sends the whole file again."""
    path = tmp_path / "a.bin"
    path.write_bytes(b"x" * 300_000)
    fake.fail_next(
        "temporary_files.upload",
        Fault.status_response(429, headers={"Retry-After": "0"}),
    )
    uploaded = await client.temporary_files.upload(path, filename="a.bin")
    assert len(fake.requests_to("temporary_files.upload")) == 2
    assert list(fake.temporary_files) == [uploaded.token]
    assert fake.temporary_files[uploaded.token]["data"] == path.read_bytes()


async def test_upload_of_an_async_iterator_is_never_retried(
    client: ThuliumClient, fake: FakeThulium
) -> None:
    """It cannot be read twice: even a 429 is raised, after one request."""

    async def chunks() -> AsyncIterator[bytes]:
        yield b"once"

    fake.fail_next("temporary_files.upload", Fault.status_response(429))
    with pytest.raises(RateLimitError):
        await client.temporary_files.upload(chunks(), filename="a.txt")
    assert len(fake.requests_to("temporary_files.upload")) == 1


async def test_upload_processed_then_lost_is_not_sent_twice(
    client: ThuliumClient, fake: FakeThulium
) -> None:
    """Not idempotent: a repeat would upload twice, so the caller decides."""
    fake.fail_next("temporary_files.upload", Fault.processed_then_drop())
    with pytest.raises(DeliveryUnknownError, match="upload the file twice"):
        await client.temporary_files.upload(b"data", filename="a.txt")
    assert len(fake.requests_to("temporary_files.upload")) == 1
    assert len(fake.temporary_files) == 1


@pytest.mark.parametrize(
    ("data", "filename"),
    [(b"x", ""), (b"x", None), (42, "a.txt"), ("/no/such/file", "a.txt")],
)
async def test_upload_refuses_bad_input_before_sending(
    client: ThuliumClient, fake: FakeThulium, data: object, filename: object
) -> None:
    with pytest.raises(InvalidInputError):
        await client.temporary_files.upload(data, filename=filename)  # type: ignore[arg-type]
    assert fake.requests_to("temporary_files.upload") == []


async def test_download_writes_the_fakes_bytes_and_their_sha256(
    client: ThuliumClient, fake: FakeThulium, tmp_path: Path
) -> None:
    """Into a folder: the file takes the last part of the recording's filename."""
    record = fake.add_recording(size=200_000)
    downloaded = await client.recordings.download(record["filename"], tmp_path)
    expected = fake.recording_bytes(record["filename"])
    assert isinstance(downloaded, DownloadedFile)
    assert downloaded.path == tmp_path / record["filename"].rsplit("/", 1)[1]
    assert downloaded.path.read_bytes() == expected
    assert downloaded.size == len(expected)
    assert downloaded.sha256 == hashlib.sha256(expected).hexdigest()
    assert _files(tmp_path) == [downloaded.path.name]  # no temporary file left
    (request,) = fake.requests_to("recordings.download")
    assert request.query == {"filename": [record["filename"]]}


async def test_a_download_dropped_mid_file_is_retried_and_complete(
    client: ThuliumClient, fake: FakeThulium, tmp_path: Path
) -> None:
    """The connection closes after 1,000 of 200,000 bytes: the retry restarts the file."""
    record = fake.add_recording(size=200_000)
    fake.fail_next("recordings.download", Fault.cut_body(after=1000))
    target = tmp_path / "call.mp3"
    downloaded = await client.recordings.download(record["filename"], target)
    assert downloaded.attempts == 2
    assert target.read_bytes() == fake.recording_bytes(record["filename"])
    assert _files(tmp_path) == ["call.mp3"]


async def test_a_download_that_keeps_failing_leaves_nothing(
    fake: FakeThulium, tmp_path: Path
) -> None:
    """Every attempt cut short: the error is raised, no file under any name."""
    record = fake.add_recording(size=100_000)
    fake.fail_next("recordings.download", *[Fault.cut_body(after=500)] * 4)
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, retry=FAST_RETRY
    ) as client:
        with pytest.raises(APIConnectionError):
            await client.recordings.download(record["filename"], tmp_path / "a.mp3")
    assert _files(tmp_path) == []


async def test_a_download_of_an_unknown_recording_is_a_404_and_leaves_nothing(
    client: ThuliumClient, tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError):
        await client.recordings.download("2026/01/01/1.1.mp3", tmp_path / "a.mp3")
    assert _files(tmp_path) == []


async def test_a_download_replaces_the_destination_only_when_complete(
    client: ThuliumClient, fake: FakeThulium, tmp_path: Path
) -> None:
    """An old file at the destination stays as it was while a failed attempt ran."""
    record = fake.add_recording(size=50_000)
    target = tmp_path / "a.mp3"
    target.write_bytes(b"old")
    fake.fail_next("recordings.download", *[Fault.cut_body(after=10)] * 4)
    with pytest.raises(APIConnectionError):
        await client.recordings.download(record["filename"], target)
    assert target.read_bytes() == b"old"
    assert _files(tmp_path) == ["a.mp3"]


async def test_download_ignores_the_response_size_cap(
    fake: FakeThulium, tmp_path: Path
) -> None:
    """A file bigger than max_response_size is streamed, not refused."""
    record = fake.add_recording(size=300_000)
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, max_response_size=10_000
    ) as client:
        downloaded = await client.recordings.download(record["filename"], tmp_path)
    assert downloaded.size == 300_000


@pytest.mark.parametrize("filename", ["", None, "a\nb", 7])
async def test_download_refuses_a_bad_filename_before_sending(
    client: ThuliumClient, fake: FakeThulium, tmp_path: Path, filename: object
) -> None:
    with pytest.raises(InvalidInputError):
        await client.recordings.download(filename, tmp_path)  # type: ignore[arg-type]
    assert fake.requests_to("recordings.download") == []
    assert _files(tmp_path) == []


async def test_stream_yields_the_recording(
    client: ThuliumClient, fake: FakeThulium
) -> None:
    record = fake.add_recording(size=500_000)
    chunks = [chunk async for chunk in client.recordings.stream(record["filename"])]
    assert b"".join(chunks) == fake.recording_bytes(record["filename"])
    (request,) = fake.requests_to("recordings.stream")
    assert request.query == {"filename": [record["filename"]]}


async def test_stream_cut_after_yielding_is_raised_not_repeated(
    client: ThuliumClient, fake: FakeThulium
) -> None:
    """Bytes already yielded cannot be taken back: no retry once the stream began."""
    record = fake.add_recording(size=500_000)
    fake.fail_next("recordings.stream", Fault.cut_body(after=100_000))
    received: list[bytes] = []

    async def read_all() -> None:
        async for chunk in client.recordings.stream(record["filename"]):
            received.append(chunk)

    with pytest.raises(APIConnectionError, match="not retried"):
        await read_all()
    received_bytes = b"".join(received)
    assert fake.recording_bytes(record["filename"]).startswith(received_bytes)
    assert len(fake.requests_to("recordings.stream")) == 2


async def test_last_screenshot_is_the_jpeg_bytes(
    client: ThuliumClient, fake: FakeThulium
) -> None:
    image = await client.agents.last_screenshot("jkowalski")
    assert image == SCREENSHOT_JPEG
    assert image.startswith(b"\xff\xd8")
    assert image.endswith(b"\xff\xd9")
    (request,) = fake.requests_to("agents.last_screenshot")
    assert request.headers["Accept"] == "*/*"


async def test_last_screenshot_over_the_cap_is_refused(fake: FakeThulium) -> None:
    async with ThuliumClient(
        fake.base_url, fake.username, fake.password, max_response_size=8
    ) as client:
        with pytest.raises(ResponseDecodeError, match="max_response_size"):
            await client.agents.last_screenshot("jkowalski")


async def test_screenshot_asks_for_one(
    client: ThuliumClient, fake: FakeThulium
) -> None:
    assert await client.agents.screenshot("jkowalski") is None
    (request,) = fake.requests_to("agents.screenshot")
    assert request.method == "POST"
    assert request.path == "/api/agents/jkowalski/screenshot"


# -- recordings export (the CLI) ----------------------------------------------


def _manifest(folder: Path) -> list[dict[str, str]]:
    import csv

    with (folder / "manifest.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _archive(folder: Path) -> list[Path]:
    """Every file under *folder* but the manifest, temporary ones included."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and path.name != "manifest.csv"
    )


async def test_export_archives_every_recording_with_a_true_manifest(
    env: FakeThulium, tmp_path: Path
) -> None:
    """Each file is the fake's bytes; the manifest's sizes and SHA-256 are theirs."""
    from .conftest import run_cli

    records = [env.add_recording(size=10_000 + n) for n in range(25)]
    day = str(env.now().date())
    code, out = await run_cli(
        "recordings", "export", "--from", day, "--to", day, "--concurrency", "3",
        str(tmp_path),
    )  # fmt: skip
    assert code == 0, out
    assert "25 downloaded" in out
    rows = {row["filename"]: row for row in _manifest(tmp_path)}
    assert len(rows) == 25
    for record in records:
        data = env.recording_bytes(record["filename"])
        row = rows[record["filename"]]
        assert (tmp_path / record["filename"]).read_bytes() == data
        assert row["bytes"] == str(len(data))
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert (row["connection_id"], row["src"], row["dst"]) == (
            record["connection_id"],
            record["src"],
            record["dst"],
        )
        assert row["date"] == record["date"]
    assert len(_archive(tmp_path)) == 25  # nothing temporary left


async def test_export_rerun_skips_complete_files_and_redoes_a_damaged_one(
    env: FakeThulium, tmp_path: Path
) -> None:
    from .conftest import run_cli

    records = [env.add_recording(size=5_000) for _ in range(6)]
    day = str(env.now().date())
    argv = ("recordings", "export", "--from", day, "--to", day, str(tmp_path))
    assert (await run_cli(*argv))[0] == 0
    damaged = tmp_path / records[2]["filename"]
    damaged.write_bytes(b"short")
    code, out = await run_cli(*argv)
    assert code == 0
    assert "1 downloaded" in out
    assert "5 already complete" in out
    assert len(env.requests_to("recordings.download")) == 7
    assert damaged.read_bytes() == env.recording_bytes(records[2]["filename"])


async def test_export_under_dropped_downloads_is_complete_or_reported(
    env: FakeThulium, tmp_path: Path
) -> None:
    """Downloads cut mid-file are retried; one that never completes is reported.

    Nothing partial is ever under a final name, and the manifest lists only the
    complete files.
    """

    records = [env.add_recording(size=50_000) for _ in range(8)]
    env.fail_next("recordings.download", *[Fault.cut_body(after=1_000)] * 12)
    day = str(env.now().date())
    code = await _export_fast(env, day, tmp_path)
    rows = {row["filename"]: row for row in _manifest(tmp_path)}
    # 12 cuts, 4 attempts each, one at a time: the first three files fail, the rest
    # complete on their first attempt.
    assert code == 1
    assert len(rows) == 5
    for record in records:
        path = tmp_path / record["filename"]
        if record["filename"] in rows:
            assert path.read_bytes() == env.recording_bytes(record["filename"])
        else:
            assert not path.exists()
    assert len(_archive(tmp_path)) == 5
    assert await _export_fast(env, day, tmp_path) == 0
    assert len({row["filename"] for row in _manifest(tmp_path)}) == 8


async def _export_fast(fake: FakeThulium, day: str, folder: Path) -> int:
    """Run ``recordings export`` one file at a time with a client retrying at once."""
    import io
    from typing import Any

    from thulium_async._cli.main import build_parser
    from thulium_async._cli.recordings import cmd_recordings_export

    args = build_parser().parse_args(
        ["recordings", "export", "--from", day, "--to", day, "--concurrency", "1",
         str(folder)]
    )  # fmt: skip

    def connect(_: object, **options: Any) -> ThuliumClient:
        return ThuliumClient(
            fake.base_url, fake.username, fake.password, retry=FAST_RETRY, **options
        )

    return await cmd_recordings_export(args, io.StringIO(), connect)


async def test_export_stops_on_sigterm_leaving_no_partial_file(
    env: FakeThulium, tmp_path: Path
) -> None:
    """SIGTERM mid-download: exit 143, the temporary file removed, no final name."""
    import asyncio
    import os
    import signal

    record = env.add_recording(size=10_000)
    env.fail_next("recordings.download", Fault.delay_then_process(30))
    day = str(env.now().date())
    task = asyncio.ensure_future(_export_fast(env, day, tmp_path))
    await until(lambda: _archive(tmp_path))  # the download's temporary file exists
    assert [path.suffix for path in _archive(tmp_path)] == [".part"]
    os.kill(os.getpid(), signal.SIGTERM)
    assert await task == 143
    assert _archive(tmp_path) == []
    assert _manifest(tmp_path) == []
    assert not (tmp_path / record["filename"]).exists()


async def test_an_upload_without_a_file_is_refused_by_the_fake(
    client: ThuliumClient, fake: FakeThulium
) -> None:
    # The document makes the upload's body required: a file of no bytes is one, a
    # request that sends no file at all (no Content-Type) is refused, as schemathesis
    # checks both.
    empty = await client.temporary_files.upload(b"", filename="empty.txt")
    assert empty.size == 0
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake.base_url}/temporary_files",
            params={"filename": "none.txt"},
            headers={"Authorization": basic_auth_header(fake.username, fake.password)},
            skip_auto_headers={"Content-Type"},
        ) as answer,
    ):
        assert answer.status == 400
        assert "A file is required" in await answer.text()
