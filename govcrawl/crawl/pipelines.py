"""Item pipeline: hand each fetched report (page + attachments) to ``govcrawl.archive.ingest``."""
from __future__ import annotations

import logging

from govcrawl.archive.ingest import Fetched, IngestResult, ingest_report
from govcrawl.crawl.run import RunComponent

log = logging.getLogger(__name__)


def _verdict(result: IngestResult) -> str:
    if result.kind != "report":
        return result.kind
    state = ("new report" if result.new_report else "changed report, new version" if result.is_new
             else "unchanged report")
    if result.moved_from:
        state += f", moved from {result.moved_from}"
    if result.conflict:
        state += f" ({result.conflict})"
    return state + (f", {result.checks_failed} checks failed" if result.checks_failed else "")


class ArchivePipeline(RunComponent):
    def process_item(self, item, spider=None):
        run = self.run
        site_id = item["site_id"]
        result = ingest_report(
            run.archive, site_id=site_id, run_id=run.run_id,
            page=Fetched(**item["page"]),
            attachments=[Fetched(**a) for a in item.get("attachments", [])],
            load_body=run.stored_body,
        )
        stats = run.summary.site(site_id)
        log.info("[%s] %s %s%s", site_id, _verdict(result), result.url,
                 f" ({result.reason})" if result.reason else "")
        if result.kind == "report":
            stats.reports += 1
            stats.new_reports += int(result.new_report)
            stats.changed += int(result.is_new and not result.new_report)
            stats.unchanged += int(not result.is_new)
            stats.moved += int(bool(result.moved_from))
            stats.check_failures += int(result.checks_failed > 0)
        else:
            stats.not_reports += 1
        # Bodies are archived already; keep the item small for logs and feeds.
        return {"site_id": site_id, "url": result.url, "kind": result.kind,
                "report_id": result.report_id, "reason": result.reason}
