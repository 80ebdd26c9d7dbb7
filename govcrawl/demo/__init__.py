"""The offline demo: a loopback server for the bundled mirror (``mirror``) and ``govcrawl demo``.

Kept apart from the library: nothing in the crawl, archive, extract or research stages imports it.
"""
