"""Takes the README's screenshots of the explorer: `.venv/bin/python docs/screenshots.py [LARGE]`.

Serves the curated graph on a free loopback port and photographs each view in Debian's Chromium;
given a large dataset folder (`bench/data/synthetic-500k`, from `python -m bench.data 500k`), also
the United States in it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live import CHROMIUM_FLAGS, chromium_path, serve  # noqa: E402

VIEWS = {  # file name: (query, width, height)
    "explorer-neighbourhood.png": ("?actor=azerbaijan&expand=israel", 1280, 800),
    "explorer-pair.png": ("?actor=turkiye&date=2019&pair=turkiye,israel", 1280, 800),
    "explorer-mediators.png": ("?actor=turkiye&ask=mediators&a=T%C3%BCrkiye&b=Israel", 1280, 800),
    "explorer-path.png": ("?actor=benny-gantz&date=2021&ask=path&a=Benny+Gantz&b=Ilham+Aliyev", 1280, 800),
    "explorer-phone.png": ("?actor=israel&date=2021", 390, 844),
}


LARGE_VIEWS = {"explorer-500k.png": ("?actor=united-states&date=2014", 1280, 800)}


def photograph(data: Path, views: dict[str, tuple[str, int, int]]) -> None:
    with serve(data) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        for name, (query, width, height) in views.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{base}/{query}")
            page.wait_for_selector("body[data-ready=true]", timeout=60_000)
            page.screenshot(path=ROOT / "docs" / name)
            page.close()
            print(f"docs/{name}")
        browser.close()


def main() -> None:
    photograph(ROOT / "graph_data", VIEWS)
    if len(sys.argv) > 1:
        photograph(Path(sys.argv[1]).resolve(), LARGE_VIEWS)


if __name__ == "__main__":
    main()
