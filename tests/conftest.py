"""Shared test setup: a loopback-only network guard and the path to ../shared/corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from govcrawl import netguard

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
SPEC = ROOT.parent / "shared" / "spec"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Any connection to a non-loopback address fails the test that made it; crawl subprocesses
# inherit GOVCRAWL_LOOPBACK_ONLY=1 and install the same guard through govcrawl.crawl.settings.
netguard.install()


@pytest.fixture
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    return CORPUS


@pytest.fixture
def spec_dir() -> Path:
    if not SPEC.is_dir():
        pytest.skip("../shared/spec is absent")
    return SPEC
