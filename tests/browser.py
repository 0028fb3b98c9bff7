"""Reading and driving the explorer page in the browser tests: what it shows, and what the API says
it should show."""

from __future__ import annotations

import urllib.parse
from typing import Any

from playwright.sync_api import Browser, Page, expect

from .live import fetch_json

LIMIT = 60  # the page's NEIGHBOUR_LIMIT: nodes, and relations, per expansion


def open_page(browser: Browser, base: str, *, width: int = 1280, height: int = 800) -> tuple[Page, list[str]]:
    """A page on `base` that records console errors, page errors and any request off the server."""
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error {error}"))

    def only_loopback(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            problems.append(f"request off the server: {route.request.url}")
            route.abort()

    page.route("**/*", only_loopback)
    return page, problems


def ready(page: Page) -> None:
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)


def counts(page: Page) -> tuple[int, int, int]:
    data = page.locator("#counts")
    return (
        int(data.get_attribute("data-nodes") or -1),
        int(data.get_attribute("data-edges") or -1),
        int(data.get_attribute("data-faded") or -1),
    )


def wait_counts(page: Page, nodes: int, edges: int) -> None:
    counts = page.locator("#counts")  # locators, not wait_for_function: the page's CSP forbids eval
    expect(counts).to_have_attribute("data-nodes", str(nodes), timeout=15_000)
    expect(counts).to_have_attribute("data-edges", str(edges), timeout=15_000)


def query(page: Page) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))


def neighbourhood(base: str, ref: str) -> tuple[set[str], set[str]]:
    hood = fetch_json(f"{base}/entities/{ref}/neighbors?limit={LIMIT}")
    return {node["id"] for node in hood["nodes"]}, {edge["id"] for edge in hood["edges"]}


def pair_in_force(base: str, source: str, target: str, year: int) -> set[str]:
    page = fetch_json(f"{base}/relations?source={source}&target={target}&as_of={year}&limit=1000")
    return {relation["id"] for relation in page["items"]}


def relations_in_force(base: str, ref: str, year: int) -> set[str]:
    """The ids of the relations of `ref`'s neighbourhood that the API says are in force in `year`."""
    hood = fetch_json(f"{base}/entities/{ref}/neighbors?limit={LIMIT}")
    pairs = {(edge["source"], edge["target"]) for edge in hood["edges"]}
    return set().union(*(pair_in_force(base, source, target, year) for source, target in pairs))


def path_headings(base: str, paths: list[dict[str, Any]]) -> list[str]:
    """The answer's heading of each path: its length and the names of the entities it passes through."""
    ids = {node for path in paths for node in path["nodes"]}
    names = {node: fetch_json(f"{base}/entities/{node}")["name"] for node in ids}
    return [f"{path['hops']} step(s): {' → '.join(names[node] for node in path['nodes'])}" for path in paths]


def choose(page: Page, typed: str, option: str) -> None:
    field = page.get_by_label("Find an actor")
    field.fill(typed)
    page.get_by_role("option", name=option).click()


def cy(page: Page, script: str) -> Any:
    """Reads the drawing (Cytoscape keeps its instance on the container)."""
    return page.evaluate(f"(() => {{ const cy = document.getElementById('cy')._cyreg.cy; return {script}; }})()")


def highlighted(page: Page) -> set[str]:
    return set(cy(page, "cy.elements('.highlight').map(e => e.isNode() ? e.id() : e.data('relation').id)"))


def click_element(page: Page, position_script: str) -> None:
    box = page.locator("#cy").bounding_box()
    assert box is not None
    point = cy(page, position_script)
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def ask(page: Page, a: str, b: str, question: str) -> None:
    page.get_by_label("First").fill(a)
    page.get_by_label("Second").fill(b)
    page.get_by_role("button", name=question).click()


def first_view_ms(page: Page) -> float:
    return float(page.evaluate("performance.getEntriesByName('first-view')[0].startTime"))
