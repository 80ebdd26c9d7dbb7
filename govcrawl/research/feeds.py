"""Atom 1.0 (RFC 4287) and JSON Feed 1.1 writers for the archive's list of changes.

Pure: a ``Feed`` of ``Entry``s in, bytes out, so a feed reader or a script can follow new, changed,
moved and removed reports without SQL. Entry ids are tag URIs built from the change's stable id,
so a reader never shows one change twice, even when the feed file is rewritten every night.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


@dataclass
class Entry:
    id: str  # stable, e.g. tag:govcrawl,2026:change/3f2a…
    title: str
    updated: str  # RFC 3339, e.g. 2026-12-02T18:30:00+00:00
    link: str  # the archived version (Datasette row)
    summary: str = ""
    content: str = ""  # plain text: the diff or the replay command
    categories: list[str] = field(default_factory=list)  # kind, site id
    published: str = ""


@dataclass
class Feed:
    id: str
    title: str
    updated: str
    link: str = ""  # the archive's home (Datasette)
    self_link: str = ""  # where this feed file is served, if known
    subtitle: str = ""
    author: str = "govcrawl"
    entries: list[Entry] = field(default_factory=list)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: v for k, v in attrs.items() if v})
    if text is not None:
        el.text = text
    return el


def atom(feed: Feed) -> bytes:
    """The feed as an Atom 1.0 document (UTF-8, with the XML declaration)."""
    ET.register_namespace("", ATOM_NS)
    root = ET.Element(f"{{{ATOM_NS}}}feed")
    _sub(root, "id", feed.id)
    _sub(root, "title", feed.title)
    if feed.subtitle:
        _sub(root, "subtitle", feed.subtitle)
    _sub(root, "updated", feed.updated)
    author = _sub(root, "author")
    _sub(author, "name", feed.author)
    if feed.link:
        _sub(root, "link", rel="alternate", href=feed.link)
    if feed.self_link:
        _sub(root, "link", rel="self", href=feed.self_link, type="application/atom+xml")
    _sub(root, "generator", "govcrawl")
    for e in feed.entries:
        entry = _sub(root, "entry")
        _sub(entry, "id", e.id)
        _sub(entry, "title", e.title)
        _sub(entry, "updated", e.updated)
        if e.published:
            _sub(entry, "published", e.published)
        _sub(entry, "link", rel="alternate", href=e.link, type="text/html")
        for term in e.categories:
            _sub(entry, "category", term=term)
        if e.summary:
            _sub(entry, "summary", e.summary, type="text")
        if e.content:
            _sub(entry, "content", e.content, type="text")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def json_feed(feed: Feed) -> bytes:
    """The feed as JSON Feed 1.1 (UTF-8, Chinese characters as they are)."""
    doc = {"version": JSON_FEED_VERSION, "title": feed.title,
           **({"home_page_url": feed.link} if feed.link else {}),
           **({"feed_url": feed.self_link} if feed.self_link else {}),
           **({"description": feed.subtitle} if feed.subtitle else {}),
           "authors": [{"name": feed.author}], "language": "zh-CN",
           "items": [{"id": e.id, "url": e.link, "title": e.title,
                      "content_text": e.content or e.summary or e.title,
                      **({"summary": e.summary} if e.summary else {}),
                      "date_published": e.published or e.updated, "date_modified": e.updated,
                      **({"tags": e.categories} if e.categories else {})}
                     for e in feed.entries]}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
