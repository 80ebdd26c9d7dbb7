"""`govcrawl sites` on the national registry, and `--health` before any crawl."""
from __future__ import annotations

from govcrawl.cli import main
from govcrawl.registry import load_sites
from helpers import ROOT

REGISTRY = str(ROOT / "data" / "sites.csv")
SITES = load_sites(REGISTRY)
CRAWLABLE = sum(1 for s in SITES if s.crawlable)


def test_sites_lists_the_whole_national_registry(capsys):
    assert main(["sites", "--sites", REGISTRY]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(SITES) + 1 >= 3201
    assert out[-1] == f"{len(SITES)} sites in {REGISTRY} ({CRAWLABLE} crawlable)"
    assert any(line.startswith("cq-yubei ") and "1997-2024" in line for line in out)


def test_health_works_on_a_fresh_archive(tmp_path, capsys):
    assert main(["sites", "--sites", REGISTRY, "--health", "--db", str(tmp_path / "none.db")]) == 0
    out = capsys.readouterr().out
    assert "no site has been checked" in out
    total = next(line for line in out.splitlines() if line.startswith("total"))
    assert total.split()[-1] == str(CRAWLABLE) and CRAWLABLE >= 3200  # every crawlable row unchecked
    from govcrawl.archive.store import Archive

    Archive(tmp_path / "empty.db").close()  # an archive without any crawl yet
    assert main(["sites", "--sites", REGISTRY, "--health", "--db", str(tmp_path / "empty.db")]) == 0
    assert f"{CRAWLABLE} crawlable sites, 0 checked by a crawl" in capsys.readouterr().out
