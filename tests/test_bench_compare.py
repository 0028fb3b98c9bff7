"""`python -m bench.compare REF`: an earlier commit's files, each checkout importing its own code, the
query worker's protocol, round-by-round changes and the section it writes in bench/RESULTS.md."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from app.io.icews import import_icews
from bench.compare import BATCH, DYAD, Checkout, Worker, _batches, changes, check_imports, export, kept, table
from bench.report import write_section

from .conftest import ROOT

MARKERS = "<!-- x: start -->", "<!-- x: end -->"


def test_export_writes_the_commit_with_this_checkouts_worker_and_imports_its_own_code(tmp_path: Path) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    checkout = export("HEAD", work=tmp_path)
    assert checkout.label == "before" and checkout.root == tmp_path / f"checkout-{head[:12]}"
    assert checkout.name == f"`{head[:7]}` (HEAD)"
    assert (checkout.root / "app" / "main.py").read_bytes() == subprocess.run(
        ["git", "show", "HEAD:app/main.py"], capture_output=True, cwd=ROOT, check=True
    ).stdout
    assert (checkout.root / "bench" / "compare_worker.py").read_text() == (
        ROOT / "bench" / "compare_worker.py"
    ).read_text()
    vendor = Path("app", "explorer", "static", "vendor")  # installed, not committed: copied, so both serve the same
    assert (checkout.root / vendor).is_dir() == (ROOT / vendor).is_dir()
    if (ROOT / vendor).is_dir():
        assert (checkout.root / vendor / "versions.json").read_text() == (ROOT / vendor / "versions.json").read_text()
    check_imports(checkout)  # its app and bench, not the editable install's


def test_a_checkout_that_imports_another_checkouts_code_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "__init__.py").touch()  # but no app/: the installed one would be imported
    with pytest.raises(SystemExit, match=r"the before checkout imported .*app"):
        check_imports(Checkout("before", "elsewhere", tmp_path))


def test_an_unknown_ref_is_refused_by_name() -> None:
    with pytest.raises(SystemExit, match="'no-such-ref' is not a commit"):
        export("no-such-ref")


def test_the_worker_times_each_call_it_is_sent(tmp_path: Path) -> None:
    import_icews([ROOT / "tests" / "data" / "icews14-slice.txt"], tmp_path, progress=False)
    worker = Worker(Checkout("after", "this", ROOT), tmp_path)
    try:
        assert worker.loaded["load_s"] > 0 and worker.loaded["rss_mib"] > 10
        days = [[date(2020, 1, 1).toordinal(), "2020-01-01"], [date(2024, 12, 31).toordinal(), "2024-12-31"]]
        call = [0, 1, *days]  # entities by index, as the workloads give them
        latencies = worker.time("dyad_window", [call] * 7)
        assert len(latencies) == 7 and all(ms > 0 for ms in latencies)
        assert worker.time("dyad_window", []) == []
    finally:
        worker.close()
    assert worker.process.returncode == 0


def test_the_worker_serves_paths_through_the_checkouts_app_and_reports_cpu_a_request(tmp_path: Path) -> None:
    import_icews([ROOT / "tests" / "data" / "icews14-slice.txt"], tmp_path, progress=False)
    worker = Worker(Checkout("after", "this", ROOT), tmp_path)
    try:
        assert 0 < worker.cpu_us(["/health"] * 20) < 1e5
        assert 0 < worker.cpu_us(["/dyads/south-korea/north-korea?from=2014&to=2014-06"] * 5) < 1e6
        with pytest.raises(RuntimeError, match="exited with 1"):  # every path must answer, or the figure is wrong
            worker.cpu_us(["/dyads/south-korea/no-such-state"])
    finally:
        worker.close()
    assert worker.process.returncode == 1


def test_batches_go_round_the_paths_so_both_checkouts_serve_the_same_turn() -> None:
    batches = _batches(["/a", "/b", "/c"], 2)
    assert [len(batch) for batch in batches] == [BATCH, BATCH]
    assert batches[0][:4] == ["/a", "/b", "/c", "/a"] and batches[1][0] == ["/a", "/b", "/c"][BATCH % 3]


def test_changes_pair_each_round_and_the_tolerance_knows_which_way_is_worse() -> None:
    assert changes([10.0, 20.0], [11.0, 19.0]) == pytest.approx([0.1, -0.05])
    assert kept("mediators: p50 (ms)", 0.05) and not kept("mediators: p50 (ms)", 0.06)
    assert kept("mediators: p50 (ms)", -0.5)  # faster
    assert kept(DYAD, 0.3) and kept(DYAD, -0.05) and not kept(DYAD, -0.06)  # fewer requests/s is worse


def test_table_reports_medians_and_the_median_round_change() -> None:
    checkouts = [Checkout("before", "`aaa`", ROOT), Checkout("after", "`bbb`", ROOT)]
    figures = {
        "before": {"load call (s)": [1.0, 2.0, 4.0], DYAD: [1000.0, 2000.0, 3000.0]},
        "after": {"load call (s)": [1.2, 2.0, 4.1], DYAD: [900.0, 1950.0, 3300.0]},
    }
    lines = table("90k", checkouts, figures)
    assert lines[2] == "| figure | before: `aaa` | after: `bbb` | change | rounds' changes | within 5% |"
    assert lines[4] == "| load call (s) | 2 | 2 | +2.5% | +0% to +20% | yes |"
    assert lines[5] == f"| {DYAD} | 2,000 | 1,950 | -2.5% | -10% to +10% | yes |"


def test_write_section_replaces_its_own_section_only(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\nkept above\n\n<!-- x: start -->\nold\n<!-- x: end -->\n\nkept below\n")
    write_section(f"{MARKERS[0]}\nnew\n{MARKERS[1]}", MARKERS, results)
    assert results.read_text() == (
        "# Benchmark results\n\nkept above\n\n<!-- x: start -->\nnew\n<!-- x: end -->\n\nkept below\n"
    )
    write_section("<!-- y: start -->\nother\n<!-- y: end -->", ("<!-- y: start -->", "<!-- y: end -->"), results)
    assert results.read_text().endswith("kept below\n\n<!-- y: start -->\nother\n<!-- y: end -->\n")
    assert "<!-- x: start -->\nnew\n<!-- x: end -->" in results.read_text()
