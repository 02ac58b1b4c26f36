"""``python -m thulium_async``: the command line, and the demo it runs. Uses the public client."""
