"""Task runner: lint, typing and tests on the running interpreter; the rest opt-in.

CI has one Python, and nox fails on missing interpreters when CI is set, so the default
sessions use whatever Python runs nox (``python=False`` would skip the venv; we want a
clean one).
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typing", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"

PYPROJECT = nox.project.load_toml("pyproject.toml")


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check."""
    session.install(*nox.project.dependency_groups(PYPROJECT, "lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typing(session: nox.Session) -> None:
    """mypy --strict on the package, the typing API file and the tests."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "typing"))
    session.run("mypy")
    session.run("mypy", "tests")


@nox.session
def tests(session: nox.Session) -> None:
    """The default suite, under branch coverage; takes seconds."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "tests"))
    session.run("coverage", "erase")
    session.run("coverage", "run", "-m", "pytest", *session.posargs)
    session.run("coverage", "combine", "--quiet")
    session.run("coverage", "report", "--fail-under=90")


@nox.session
def soak(session: nox.Session) -> None:
    """The fault soak: 20,000 calls at concurrency 200 with 30% faults (a minute)."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "tests"))
    session.run("pytest", "-m", "soak", "-s", "tests/soak", *session.posargs)


@nox.session
def browser(session: nox.Session) -> None:
    """The supervisor page in headless Chromium (Debian's chromium + chromium-driver)."""
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "browser"))
    session.run("pytest", "-m", "browser", "tests/browser", *session.posargs)


@nox.session
def distributed(session: nox.Session) -> None:
    """Shared Redis rate limit and the arq recipe, with 3 worker processes (a minute).

    Needs Debian's redis-server on PATH (``.ci/run`` installs it); each test module
    starts its own on a free 127.0.0.1 port.
    """
    session.install(
        "-e", ".[redis]", *nox.project.dependency_groups(PYPROJECT, "distributed")
    )
    session.run("pytest", "-m", "distributed", "tests/distributed", *session.posargs)


@nox.session
def proxy(session: nox.Session) -> None:
    """FakeThulium behind a real nginx with TLS, judged by what reached it (a minute).

    Needs Debian's nginx on PATH (``.ci/run`` installs it); each test starts its own
    on a free 127.0.0.1 port. Prints the false-"unknown" figures.
    """
    session.install("-e", ".", *nox.project.dependency_groups(PYPROJECT, "proxy"))
    session.run("pytest", "-m", "proxy", "-s", "tests/proxy", *session.posargs)


@nox.session
def schemathesis(session: nox.Session) -> None:
    """Schemathesis judges FakeThulium by the OpenAPI document the SDK prints (minutes).

    ``tests/schemathesis/run.py`` starts the fake on 127.0.0.1 and runs schemathesis
    against it, a few examples per operation; posargs go to ``schemathesis run``.
    """
    session.install(
        "-e", ".", *nox.project.dependency_groups(PYPROJECT, "schemathesis")
    )
    session.run("python", "tests/schemathesis/run.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation with warnings as errors (no network needed)."""
    session.install("-e", ".[redis]", *nox.project.dependency_groups(PYPROJECT, "docs"))
    session.run(
        "sphinx-build",
        "-W",
        "-n",
        "--keep-going",
        "-b",
        "html",
        "docs",
        "docs/_build/html",
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks: throughput and CPU, instruction counts, decoding, a dialer job (~20 min)."""
    session.install(".", *nox.project.dependency_groups(PYPROJECT, "bench"))
    session.chdir("benchmarks")
    scripts = session.posargs or [
        "bench_overhead.py",
        "bench_http.py",
        "bench_decode.py",
        "bench_dialer.py",
        "bench_paging.py",
        "bench_instructions.py",  # needs valgrind; says so and skips without it
    ]
    for script in scripts:
        session.run("python", script, env={"MPLBACKEND": "Agg"})


@nox.session
def demo(session: nox.Session) -> None:
    """Run the demo dialer against the embedded fake Thulium server."""
    session.install(".")
    session.run("python", "-m", "thulium_async", "demo", *session.posargs)
