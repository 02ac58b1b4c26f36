"""The endpoint machinery: declarations, encoding and decoding, paging, ``client.request``.

Written once for every endpoint; the API areas (``_areas``) are thin declarations and
methods over it. Imports ``_http`` and ``_core``, never an area.
"""
