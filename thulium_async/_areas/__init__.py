"""One module per area of Thulium's API (``client.queues``, ...), over ``_api``."""
