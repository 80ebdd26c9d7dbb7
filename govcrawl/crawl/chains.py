"""Report chains: a report page and the attachments it links, held until every one has an answer.

Attachments are shared: two pages (or two years' reports) link one PDF, a listing links the PDF
and the page that has it. The URL is fetched once; every chain that needs it gets the same answer
— the fetched document or why it failed — whether it arrives before or after the chain opens.
Plain Python, no Scrapy: the spider feeds it answers, the run closes what is left open.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Chain:
    site_id: str
    page: dict  # the page as fetched: url, content_type, capture (the WARC has the body), link_text
    attachment_urls: list[str]
    answers: dict[str, dict | str] = field(default_factory=dict)  # url -> fetched doc, or failure

    @property
    def waiting_for(self) -> list[str]:
        return [u for u in self.attachment_urls if u not in self.answers]

    def item(self, reason: str = "") -> dict:
        """What the pipeline ingests: the page, the attachments fetched, and why others are missing."""
        docs = [a for u in self.attachment_urls if isinstance(a := self.answers.get(u), dict)]
        missing = {u: a if isinstance(a, str) else reason for u in self.attachment_urls
                   if not isinstance(a := self.answers.get(u), dict)}
        return {"site_id": self.site_id, "page": self.page, "attachments": docs, "missing": missing}


class ChainTracker:
    def __init__(self):
        self.open: list[Chain] = []
        # every URL answered this run (its capture; the WARC has the body): a chain opened later
        # that needs it is answered at once, never left waiting for a request the dupefilter drops
        self.answers: dict[str, dict | str] = {}

    def add(self, site_id: str, page: dict, attachment_urls: list[str]) -> list[Chain]:
        """Open a chain; returns it in a list when every attachment is answered already."""
        urls = [u for u in dict.fromkeys(attachment_urls) if u != page["url"]]
        chain = Chain(site_id, page, urls, {u: self.answers[u] for u in urls if u in self.answers})
        if chain.waiting_for:
            self.open.append(chain)
            return []
        return [chain]

    def answer(self, urls: list[str], outcome: dict | str) -> list[Chain]:
        """A URL (and the URLs it was redirected from) has its answer; returns chains now complete."""
        urls = list(dict.fromkeys(urls))
        for url in urls:
            self.answers.setdefault(url, outcome)
        done, still = [], []
        for chain in self.open:
            for url in urls:
                if url in chain.attachment_urls and url not in chain.answers:
                    chain.answers[url] = outcome
            (still if chain.waiting_for else done).append(chain)
        self.open = still
        return done

    def unanswered(self) -> list[str]:
        return list(dict.fromkeys(u for c in self.open for u in c.waiting_for))

    def close_all(self) -> list[Chain]:
        """The chains still open (the crawl ends): taken out, for the caller to record and ingest."""
        chains, self.open = self.open, []
        return chains
