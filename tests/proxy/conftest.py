"""FakeThulium behind a real nginx with TLS, as Thulium sits behind a proxy in production.

These tests need Debian's ``nginx``; they fail (never skip) without it, because a suite
that quietly skips its proof proves nothing. ``.ci/run`` installs it. Each test gets its
own nginx on a free 127.0.0.1 port, with a certificate from a throwaway trustme CA, a
short keep-alive and a short ``proxy_read_timeout`` (so a stalled upstream becomes 504).
"""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import attrs
import pytest
import pytest_asyncio
import trustme

from thulium_async.testing import FakeThulium

pytestmark = pytest.mark.proxy

KEEPALIVE_TIMEOUT = 1.0
READ_TIMEOUT = 1.0

_CONFIG = """
worker_processes 1;
{user}
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    keepalive_timeout {keepalive}ms;
    keepalive_requests 100000;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {dir}/server.pem;
        ssl_certificate_key {dir}/server.key;
        location /api/ {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout {read_timeout}ms;
        }}
{root_location}
    }}
}}
"""

# The rest of the host, as on a real one (an admin page, a login): whatever reaches it
# left the API root.
_ROOT_LOCATION = """
        location / {{
            proxy_pass http://127.0.0.1:{root_upstream};
        }}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@attrs.define
class Nginx:
    """One nginx process in front of one upstream port."""

    port: int
    ssl_context: ssl.SSLContext
    directory: Path
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/api"

    def error_log(self) -> str:
        return (self.directory / "error.log").read_text(errors="replace")


@pytest.fixture(scope="session")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


def start_nginx(
    ca: trustme.CA, upstream: int, directory: Path, *, root_upstream: int | None = None
) -> Nginx:
    """Start nginx proxying ``/api/`` to *upstream* and, if given, ``/`` to *root_upstream*."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(binary):
        pytest.fail("nginx is not installed: apt-get install nginx-light")
    server = ca.issue_cert("127.0.0.1", "localhost")
    server.private_key_pem.write_to_path(str(directory / "server.key"))
    server.cert_chain_pems[0].write_to_path(str(directory / "server.pem"))
    port = free_port()
    config = directory / "nginx.conf"
    config.write_text(
        _CONFIG.format(
            # As root, nginx would run its worker as "nobody", who cannot use the temp dir.
            user="user root;" if os.geteuid() == 0 else "",
            dir=directory,
            port=port,
            upstream=upstream,
            keepalive=round(KEEPALIVE_TIMEOUT * 1000),
            read_timeout=round(READ_TIMEOUT * 1000),
            root_location=""
            if root_upstream is None
            else _ROOT_LOCATION.format(root_upstream=root_upstream),
        )
    )
    with open(directory / "stderr.log", "wb") as log:
        process = subprocess.Popen(
            [binary, "-p", str(directory), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if process.poll() is not None:
                stderr = (directory / "stderr.log").read_text(errors="replace")
                pytest.fail(f"nginx did not start: {stderr}")
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"nginx did not listen on port {port}")
            time.sleep(0.05)
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return Nginx(port, context, directory, process)


@pytest.fixture
def proxy_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="thulium-nginx-") as name:
        yield Path(name)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeThulium]:
    async with FakeThulium() as server:
        yield server


@pytest.fixture
def nginx(
    certificate_authority: trustme.CA, fake: FakeThulium, proxy_dir: Path
) -> Iterator[Nginx]:
    proxy = start_nginx(certificate_authority, fake.port, proxy_dir)
    try:
        yield proxy
    finally:
        stop_nginx(proxy)


def stop_nginx(proxy: Nginx) -> None:
    proxy.process.terminate()
    try:
        proxy.process.wait(10)
    except subprocess.TimeoutExpired:
        proxy.process.kill()
        proxy.process.wait()
