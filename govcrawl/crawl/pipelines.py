"""Item pipeline: each report chain (page + attachments) goes to the run's ingest stage."""
from __future__ import annotations

from govcrawl.crawl.run import RunComponent


class ArchivePipeline(RunComponent):
    def process_item(self, item, spider=None):
        return self.run.ingest_chain(item)
