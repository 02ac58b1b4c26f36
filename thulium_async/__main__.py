"""``python -m thulium_async``: the command line (see ``_cli``)."""

from ._cli.main import main

raise SystemExit(main())
