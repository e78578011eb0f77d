"""The HTML report rendered by headless Chromium: the numbers on the page are those the lineage tables give
(computed here with SQL of the test's own), small counts are masked, and the page requests nothing."""

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from staged_runs import History
from typer.testing import CliRunner

from pipelines.cli import app

CHROMIUM = shutil.which("chromium")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")
STEPS = ("customers", "with_identifier", "valid", "consented", "not_suppressed", "exported")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium: apt-get install -y chromium")


def render(html: Path, profile: Path) -> tuple[str, set[str]]:
    """The DOM Chromium builds from the file, and every URL the page itself asked the network for."""
    netlog = profile.with_suffix(".netlog.json")
    done = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}",
                           "--dump-dom", html.as_uri()], capture_output=True, text=True, timeout=120, check=True)
    log = json.loads(netlog.read_text())
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    page = {e["params"]["url"] for e in log["events"]
            if e["type"] == start and "file://" in e["params"].get("network_isolation_key", "")
            and not e["params"]["url"].startswith("file:")}
    return done.stdout, page


class Tables(HTMLParser):
    """Cell texts of every table row, keyed by the row's and table's data attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.table: dict[str, str] = {}
        self.row: dict[str, str] = {}
        self.cells: list[str] = []
        self.rows: list[tuple[dict[str, str], dict[str, str], list[str]]] = []
        self.text: list[str] | None = None
        self.meta: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.table = found
        elif tag == "tr":
            self.row, self.cells = found, []
        elif tag in ("td", "th"):
            self.text = []
        elif tag == "meta":
            self.meta.append(found)

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.text is not None:
            self.cells.append("".join(self.text).strip())
            self.text = None
        elif tag == "tr":
            self.rows.append((self.table, self.row, self.cells))


def parse(dom: str) -> Tables:
    tables = Tables()
    tables.feed(dom)
    return tables


def masked(count: int | None) -> str:
    """The test's own reading of the display rule: unknown, zero, from 1 to 9, or the count rounded half up to a
    multiple of 5, with thousands separators."""
    if count is None:
        return "not recorded"
    if 0 < count < 10:
        return "< 10"
    return f"{5 * ((2 * count + 5) // 10):,}"


@pytest.fixture(scope="module")
def report(reported: History, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, set[str]]:
    directory = tmp_path_factory.mktemp("html")
    html = directory / "report.html"
    result = CliRunner().invoke(app, ["report", "--db", str(reported.ws.db), "--out", str(reported.ws.out),
                                      "--html", str(html)])
    assert result.exit_code == 0, result.output
    dom, requested = render(html, directory / "profile")
    return html, dom, requested


def test_the_waterfall_shows_the_counts_lineage_gives(reported: History, report: tuple[Path, str, set[str]]) -> None:
    _, dom, _ = report
    with reported.ws.connect() as con:
        expected = con.execute("""
            SELECT x.platform, x.audience, f.customers, f.with_identifier, f.valid, f.consented, f.not_suppressed,
                   CASE WHEN x.status = 'exported' THEN x.customers ELSE 0 END
            FROM audience_export x
            JOIN funnel f ON f.run_id = x.run_id AND f.platform = x.platform AND f.audience = x.audience
                         AND f.identifier = 'any'
            WHERE x.run_id = ?""", [reported.runs[-1]]).fetchall()
    shown = {}
    for table, row, cells in parse(dom).rows:
        if table.get("class") == "waterfall" and "data-step" in row:
            shown[(table["data-platform"], table["data-audience"], row["data-step"])] = cells[1]
    assert len(expected) == 6
    for platform, audience, *counts in expected:
        assert {s for p, a, s in shown if (p, a) == (platform, audience)} == set(STEPS)
        for step, count in zip(STEPS, counts, strict=True):
            assert shown[(platform, audience, step)] == masked(count), (platform, audience, step)


def test_small_counts_are_masked_on_the_page(report: tuple[Path, str, set[str]]) -> None:
    _, dom, _ = report
    tables = parse(dom)
    steps = [cells[1] for t, row, cells in tables.rows if t.get("class") == "waterfall" and row.get("data-step")]
    quality = [cells[-1] for t, _, cells in tables.rows if t.get("class") == "quality" and cells[-1] != "rejected"]
    assert "< 10" in steps + quality
    printed = [int(c.replace(",", "")) for c in steps + quality if c not in ("< 10", "not recorded")]
    assert printed and all(c == 0 or (c >= 10 and c % 5 == 0) for c in printed)


def test_match_rates_and_their_trend_come_from_the_imported_reports(reported: History,
                                                                   report: tuple[Path, str, set[str]]) -> None:
    _, dom, _ = report
    rows = parse(dom).rows
    rates = {(row["data-platform"], row["data-audience"]): cells for t, row, cells in rows
             if t.get("class") == "match-rates" and "data-platform" in row}
    assert rates[("meta", "all")][-3:] == ["320", "210", "65.6 %"]
    assert rates[("google", "all")][-1] == "41–50 %"
    trend = [cells for t, _, cells in rows if t.get("class") == "trend" and t.get("data-platform") == "meta"
             and t.get("data-audience") == "all" and cells[0] != "run"]
    assert [c[0] for c in trend] == list(reported.runs)
    assert [c[-1] for c in trend] == ["60.0 %", "62.9 %", "65.6 %"]
    assert "<polyline" in dom


def test_held_back_audiences_are_listed(report: tuple[Path, str, set[str]]) -> None:
    _, dom, _ = report
    held = {(cells[0], cells[1], cells[3]) for t, _, cells in parse(dom).rows
            if t.get("class") == "held-back" and cells[0] != "platform"}
    assert held == {("google", "loyal", "100"), ("meta", "loyal", "100"), ("tiktok", "loyal", "200")}


def test_the_page_requests_nothing(report: tuple[Path, str, set[str]], tmp_path: Path) -> None:
    html, dom, requested = report
    text = html.read_text()
    assert requested == set()
    for reference in ("://", "src=", "href=", "url(", "@import", "<script", "<link", "<img", "<iframe"):
        assert reference not in text, reference
    csp = [m for m in parse(dom).meta if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]["content"]
    control = tmp_path / "control.html"
    control.write_text('<!DOCTYPE html><html><body><img src="http://192.0.2.1/x.png"></body></html>')
    assert render(control, tmp_path / "profile")[1] == {"http://192.0.2.1/x.png"}


def test_no_identifier_of_the_inputs_is_in_the_report(reported: History, report: tuple[Path, str, set[str]]) -> None:
    html, _, _ = report
    text = html.read_text()
    with reported.ws.connect() as con:
        values = con.execute("SELECT email, device_id FROM read_csv(?, all_varchar = true)",
                             [str(reported.ws.inputs / "customers.csv")]).fetchall()
    raw = {v.strip() for row in values for v in row if v and len(v.strip()) >= 8}
    assert raw and not [v for v in raw if v in text]
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w", text)
