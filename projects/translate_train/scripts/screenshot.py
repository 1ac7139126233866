"""PNG screenshots of a viewer report in headless Chromium: the page's top and its first Doc.

Optional (not a workflow step): needs Debian's `chromium` and Playwright's Python package.
"""
import shutil
from pathlib import Path

import typer

from spacy_transalign.cli import run_script


def main(report: Path, page_png: Path, doc_png: Path, chromium: str = typer.Option("", help="Browser binary")) -> None:
    from playwright.sync_api import sync_playwright

    binary = chromium or shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        raise typer.BadParameter("no chromium binary found (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=binary, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(report.resolve().as_uri())
        page.wait_for_selector(".ta-list .ta-doc", state="attached")
        page.screenshot(path=str(page_png))
        page.locator(".ta-list .ta-doc").first.screenshot(path=str(doc_png))
        browser.close()
    typer.echo(f"{page_png}, {doc_png}")


if __name__ == "__main__":
    run_script(main)
