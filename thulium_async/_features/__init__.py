"""Engines built for the endpoints: the bulk dialer (journal, ledger) and the queue watch.

Each takes the coroutine it drives as an argument, so none imports an API area or the
HTTP layer; the areas wire them to endpoints (``queues.schedule_calls``, ``watch_waiting_list``).
"""
