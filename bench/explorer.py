"""``python -m bench.explorer [SIZE] [ACTOR...]``: the explorer's first view, timed in Chromium.

Serves a dataset (``graph_data`` by default, or a ``bench.data`` size such as ``500k``) on a free
loopback port and opens ``/?actor=ACTOR`` (and ``&date=YEAR`` when given as ``ACTOR@YEAR``) several
times in Debian's headless Chromium, each in a fresh page. The figure is the ``first-view`` mark the
page sets once the first neighbourhood is drawn, counted from navigation start.
"""

from __future__ import annotations

import argparse
import statistics

from playwright.sync_api import sync_playwright

from tests.live import CHROMIUM_FLAGS, ROOT, chromium_path, serve

from .data import ensure

DEFAULT_ACTORS = {"curated": ["azerbaijan", "turkiye@2019"], "large": ["united-states", "china@2014", "iran@2014"]}


def first_views(base: str, actors: list[str], *, rounds: int) -> dict[str, list[float]]:
    """Milliseconds to the first drawing, per actor, over `rounds` fresh pages."""
    found: dict[str, list[float]] = {actor: [] for actor in actors}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        for _ in range(rounds):
            for actor in actors:
                name, _, year = actor.partition("@")
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(f"{base}/?actor={name}" + (f"&date={year}" if year else ""))
                page.wait_for_selector("body[data-ready=true]", timeout=60_000)
                found[actor].append(page.evaluate("performance.getEntriesByName('first-view')[0].startTime"))
                page.close()
        browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", nargs="?", help="a bench.data size (500k); default: the curated graph")
    parser.add_argument("actors", nargs="*", help="ids, each optionally @YEAR")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = ensure([args.size])[args.size] if args.size else ROOT / "graph_data"
    actors = args.actors or DEFAULT_ACTORS["large" if args.size else "curated"]
    with serve(folder) as base:
        for actor, times in first_views(base, actors, rounds=args.rounds).items():
            print(
                f"{folder.name} {actor}: first view median {statistics.median(times):.0f} ms, "
                f"min {min(times):.0f}, max {max(times):.0f} over {len(times)} pages"
            )


if __name__ == "__main__":
    main()
