"""The HTTP layer: sessions, one attempt, the retry decision, the rate limit.

It moves bytes and knows nothing of any endpoint: a request comes in as a method, a URL,
headers and whether a repeat is harmless, and goes out as a response or a typed error.
"""
