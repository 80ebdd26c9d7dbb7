"""The demo mirror's states: state 1 is ``data/demo/sites``; state 2 is that plus an overlay.

State 2 (``data/demo/state2``, built by ``data/demo/build_state2.py``) is the same sites some weeks
later: one report's figure corrected, one removed, one moved to a new URL, one only re-templated.
It is materialised as a copy of state 1 with the overlay applied, so the ordinary static-file
server serves it, and a running ``Mirror`` can be switched to it (``Mirror.switch_root``) without
changing its addresses: the URLs, and so the reports' ids, stay the same between the two crawls.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

STATES = (1, 2)


def _check(state: int) -> None:
    if state not in STATES:
        raise ValueError(f"the demo mirror has states {', '.join(map(str, STATES))}, not {state}")


def materialise(demo_root: Path, state: int, dest: Path) -> Path:
    """The ``sites/`` directory of ``state``: state 1 as it is, later states copied into ``dest``."""
    demo_root = Path(demo_root)
    base = demo_root / "sites"
    _check(state)
    if state == 1:
        return base
    overlay = demo_root / f"state{state}"
    manifest = json.loads((overlay / "state.json").read_text(encoding="utf-8"))
    out = Path(dest) / f"state{state}-sites"
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(base, out)  # copy2: file times kept, so Last-Modified stays what it was
    for f in sorted((overlay / "sites").rglob("*")):
        if f.is_file():
            target = out / f.relative_to(overlay / "sites")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)
    for gone in manifest.get("gone", []):
        path = out / gone.lstrip("/")
        if not path.is_file():
            raise FileNotFoundError(f"state {state} removes {gone}, which state 1 does not have; "
                                    "rebuild with data/demo/build_sites.py")
        path.unlink()
    return out
