"""The officers' main pages in a real browser: log in, find a household whatever the
diacritics, read the transitions, open the named households behind a figure, export, and
see nothing of another commune. Every request the pages make stays on our own server."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from site_data import PASSWORD, Site

pytestmark = pytest.mark.django_db(transaction=True)


def _page(browser: Any, site: Site, username: str) -> tuple[Any, list[str]]:
    """A logged-in page (Vietnamese browser) and the list of every URL it requests."""
    page = browser.new_page(locale="vi-VN", viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{site.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click('form[action="/dang-nhap/"] button[type=submit]')
    assert "/dang-nhap/" not in page.url, page.content()[:2000]
    return page, requests


def _only_local(requests: list[str], site: Site) -> None:
    outside = [u for u in requests if not u.startswith(site.url) and not u.startswith("data:")]
    assert outside == []


def _figure_link(page: Any, list_kind: str, key: str) -> Any:
    """The households cell (all households) of row ``key`` in the detail table of a list."""
    return page.locator(f"table.detail[data-list={list_kind}] tr[data-key='{key}'] td a").first


def test_transitions_figure_opens_the_named_households_and_exports(
    browser: Any, site: Site, shots: Path
) -> None:
    page, requests = _page(browser, site, "huyen")
    page.goto(f"{site.url}/ho-gia-dinh/bien-dong/?don_vi={site.district.pk}&nam=2019")
    assert page.locator("h1").inner_text() == "Biến động hộ nghèo, hộ cận nghèo"
    page.screenshot(path=str(shots / "transitions.png"), full_page=True)

    # "net reduction by the plan's note = escaped − re-poor − newly poor", each term a link
    terms = page.locator(
        "section[aria-labelledby=list-poor] .reconcile[data-measure=households] dd"
    ).first.locator("a")
    assert terms.all_inner_texts() == ["2", "0", "1"]
    escaped = terms.first
    with page.expect_navigation():
        escaped.click()
    rows = page.locator("tr[data-household]")
    codes = sorted(rows.nth(i).locator("td").first.inner_text() for i in range(rows.count()))
    assert codes == sorted(h.code for h in site.escaped)
    assert "Nguyễn Thị Hoà" in page.content() and "A Blong" in page.content()
    page.screenshot(path=str(shots / "transitions_list.png"), full_page=True)

    page.go_back()
    newly = _figure_link(page, "poor", "newly")
    assert newly.inner_text() == "1"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Xuất xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert book.sheetnames == ["Ho ngheo", "Ho can ngheo"]
    assert site.district.name in str(book["Ho ngheo"]["A1"].value)
    _only_local(requests, site)


def test_commune_officer_finds_households_without_diacritics_and_sees_only_their_commune(
    browser: Any, site: Site, shots: Path
) -> None:
    page, requests = _page(browser, site, "dakang")
    page.goto(f"{site.url}/ho-gia-dinh/")
    listed = page.locator("td.code").all_inner_texts()
    assert sorted(listed) == ["DA01", "DA02", "DA03", "DA04"]

    page.fill("input[name=q]", "nguyen thi hoa")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    assert page.locator("td.code").all_inner_texts() == ["DA01"]
    page.screenshot(path=str(shots / "household_search.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("link", name="Nguyễn Thị Hoà").click()
    assert "Nguyễn Thị Hoà" in page.locator("h1").inner_text()
    page.screenshot(path=str(shots / "household_detail.png"), full_page=True)

    page.goto(f"{site.url}/ho-gia-dinh/bien-dong/")
    options = page.locator("select[name=don_vi] option").all_inner_texts()
    assert len(options) == 1 and site.dak_ang.name in options[0]
    response = page.goto(f"{site.url}/ho-gia-dinh/bien-dong/?don_vi={site.plei_kan.pk}&nam=2019")
    assert response is not None and response.status == 404
    _only_local(requests, site)
