"""Item pipeline: each report chain (page + attachments, as captured) is recorded for ingest.

The crawl stops here: extraction happens in ``govcrawl.archive.ingest``, beside the crawl or later.
"""
from __future__ import annotations

from govcrawl.crawl.run import RunComponent


class ArchivePipeline(RunComponent):
    def process_item(self, item, spider=None):
        return self.run.record_chain(item)
