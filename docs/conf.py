"""Sphinx configuration: MyST Markdown pages, autodoc reference, furo theme.

Builds offline: intersphinx is switched on only when THULIUM_DOCS_INTERSPHINX=1, since
CI reaches no documentation sites.
"""

from __future__ import annotations

import os
from importlib.metadata import version as _version

project = "thulium_async"
author = "The thulium_async developers"
copyright = "2026, The thulium_async developers"
release = _version("thulium-async")
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
]
if os.environ.get("THULIUM_DOCS_INTERSPHINX") == "1":
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "aiohttp": ("https://docs.aiohttp.org/en/stable", None),
    }

source_suffix = {".md": "markdown"}
myst_heading_anchors = 3
exclude_patterns = ["_build"]
html_theme = "furo"
html_static_path = ["_static"]
html_title = f"thulium_async {release}"
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
nitpick_ignore_regex = [
    # Third-party and standard types, resolvable only with intersphinx switched on.
    (
        r"py:class",
        r"(aiohttp|aioredis|redis|ssl|os|pathlib|datetime|collections\.abc|typing|attr|multidict|yarl|asyncio)\..*",
    ),
    (
        r"py:class",
        r"(T|NumberSource|PathLike|FetchPage|AsyncGenerator|Iterable|AsyncIterable|Mapping|Wiring|Transport|Sequence|Any)",
    ),
    (
        r"py:class",
        r"(tzinfo|URL|Transport|ClientSession|SSLContext|datetime|Random|Clock)",
    ),
    # fastapi_router's signature: FastAPI is optional, so its types stay names.
    (r"py:class", r"(fastapi\..*|APIRouter|Handler)"),
    (r"py:.*", r"thulium_async\._.*"),
]
