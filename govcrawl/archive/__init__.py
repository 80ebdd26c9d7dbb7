"""Stage 2, the archive: WARC files, the captures index, report identity and the SQLite store.

``warc`` writes and recovers WARC files, ``replay`` reads captures back, ``ingest`` turns captures
into stored reports (at crawl time and in ``reextract``), ``store`` is the only writer of the
database.
"""
