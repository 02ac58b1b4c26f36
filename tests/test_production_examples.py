"""The production recipes in examples/production/: valid, consistent, and they resume.

The systemd unit is checked with ``systemd-analyze verify`` (Debian's ``systemd``), the
Kubernetes manifests with ``kubernetes-validate`` (the ``production`` dependency group,
which ships the API schemas); the script both run is run for real against a FakeThulium.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from thulium_async._cli.main import EXIT_OK
from thulium_async.testing import FakeThulium

from .conftest import until
from .test_cli_dial import read_report

HERE = Path(__file__).parent.parent / "examples" / "production"
UNIT = HERE / "thulium-dialer.service"
JOB = HERE / "dialer-job.yaml"
SCRIPT = HERE / "run-dialer.sh"


def _unit_setting(name: str) -> list[str]:
    return re.findall(rf"^{name}=(.*)$", UNIT.read_text(), flags=re.MULTILINE)


def _unit_environment() -> dict[str, str]:
    pairs = " ".join(_unit_setting("Environment")).split()
    return dict(pair.split("=", 1) for pair in pairs)


def test_the_unit_passes_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not found: install Debian's systemd package")
    unit = tmp_path / UNIT.name
    shutil.copy(UNIT, unit)
    result = subprocess.run(
        [analyze, "verify", "--man=no", str(unit)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    about_ours = [line for line in result.stderr.splitlines() if UNIT.name in line]
    assert result.returncode == 0, result.stderr
    assert about_ours == []  # verify ignores unknown keys with a warning, exit 0


def test_the_unit_stops_with_sigterm_and_waits_longer_than_the_grace():
    assert _unit_setting("KillSignal") == ["SIGTERM"]
    assert _unit_setting("KillMode") == ["mixed"]  # SIGTERM to the dialer alone
    grace = float(_unit_environment()["DIALER_GRACE"])
    assert float(_unit_setting("TimeoutStopSec")[0]) > grace
    assert _unit_setting("ExecStart")[0].endswith("/run-dialer.sh")
    assert "143" in _unit_setting("SuccessExitStatus")[0].split()


def _manifests() -> list[dict[str, Any]]:
    import yaml  # with kubernetes-validate

    with JOB.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def test_the_job_is_valid_kubernetes():
    import kubernetes_validate as validate  # the production dependency group
    from kubernetes_validate.utils import latest_version

    for version in ("1.31", latest_version()):  # podFailurePolicy is GA from 1.31
        for manifest in _manifests():
            validate.validate(manifest, version, strict=True)


def test_the_job_waits_longer_than_the_grace_and_keeps_the_journal_on_its_volume():
    claim, job = _manifests()
    assert claim["kind"] == "PersistentVolumeClaim"
    assert claim["spec"]["accessModes"] == ["ReadWriteOncePod"]
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {item["name"]: item["value"] for item in container["env"]}
    assert pod["terminationGracePeriodSeconds"] > float(env["DIALER_GRACE"])
    assert pod["restartPolicy"] == "Never"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert container["workingDir"] == mounts["state"]  # reports and journals there
    volumes = {v["name"]: v for v in pod["volumes"]}
    claim_name = volumes["state"]["persistentVolumeClaim"]["claimName"]
    assert claim_name == claim["metadata"]["name"]
    assert container["command"][-1] == f"{mounts['script']}/{SCRIPT.name}"
    assert _unit_environment()["DIALER_GRACE"] == env["DIALER_GRACE"]


async def _run_script(fake: FakeThulium, workdir: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        "/bin/sh", str(SCRIPT), cwd=workdir,
        stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL,
        env={
            **os.environ,
            "PYTHON": sys.executable,
            "THULIUM_QUEUE": "2",
            "DIALER_RATE": "300",
            "DIALER_GRACE": "5",
            "THULIUM_BASE_URL": fake.base_url,
            "THULIUM_USERNAME": fake.username,
            "THULIUM_PASSWORD": fake.password,
        },
    )  # fmt: skip


async def test_the_script_resumes_after_sigterm_and_nobody_is_called_twice(
    fake, tmp_path
):
    numbers = [f"5{i:08d}" for i in range(1500)]
    (tmp_path / "numbers.csv").write_text("phone_number\n" + "\n".join(numbers) + "\n")
    first = await _run_script(fake, tmp_path)
    await until(lambda: len(fake.scheduled) >= 50)
    first.send_signal(signal.SIGTERM)  # the script exec'd: this reaches the dialer
    _, err = await asyncio.wait_for(first.communicate(), 60)
    assert first.returncode == 128 + signal.SIGTERM, err.decode()
    assert len(fake.scheduled) < len(numbers)
    second = await _run_script(fake, tmp_path)  # as the next start or pod would
    _, err = await asyncio.wait_for(second.communicate(), 120)
    assert second.returncode == EXIT_OK, err.decode()
    called = Counter(call.phone_number for call in fake.scheduled)
    assert set(called) == set(numbers)
    assert max(called.values()) == 1  # nobody twice
    assert (tmp_path / "report-1.csv.journal").exists()
    rows = read_report(tmp_path / "report-2.csv")
    assert len(rows) == len(numbers)
    assert any(row["status"] == "skipped" for row in rows)
