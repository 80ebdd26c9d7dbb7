"""The job side of a scrapyd shard: what a crawl process started by scrapyd reads from its job.

``govcrawl cluster crawl`` passes the shard's registry rows as the spider argument ``registry``
(zlib + base64, see ``shards.encode_registry``) and scrapyd's job id as ``_job``. The rows are
written beside the shard's archive on the node, so the job's directory says what it crawled.
"""
from __future__ import annotations

from pathlib import Path

from govcrawl.cluster.shards import decode_registry


def job_registry_file(spider, db_path: str | Path) -> Path | None:
    """The registry file a scrapyd shard job carries, written next to its archive; None otherwise."""
    encoded = getattr(spider, "registry", None)
    if not encoded:
        return None
    path = Path(db_path).parent / "sites.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(decode_registry(encoded), encoding="utf-8")
    return path


def job_run_id(spider) -> str | None:
    """scrapyd's job id becomes the run id: WARC file names and ``runs`` rows name the job."""
    job = getattr(spider, "_job", None)
    return str(job) if job else None
