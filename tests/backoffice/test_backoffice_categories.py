"""Category colours on the back office's catalog page, over plain HTTP against the real
server: the table lists the store's categories, the form sets a colour and position as the
admin API does (a new catalog version), and a refusal is said in words."""

from __future__ import annotations

import re

import httpx
import pytest

from pos_protocol import paths

from .scene import ADMIN, CASHIER_ACCOUNT, STORE
from .test_backoffice_http import signed_in_client

pytestmark = pytest.mark.slow


def _categories(shop) -> dict[str, tuple[str | None, int]]:
    answer = httpx.get(shop.url + paths.fill(paths.ADMIN_CATEGORIES, store_id=STORE), headers=ADMIN, timeout=30)
    answer.raise_for_status()
    return {c["name"]: (c["colour"], c["position"]) for c in answer.json()}


def _version(shop) -> int:
    stores = httpx.get(shop.url + paths.ADMIN_STORES, headers=ADMIN, timeout=30).json()
    return next(s["catalog_version"] for s in stores if s["store_id"] == STORE)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_category_colour_set_on_the_catalog_page_is_a_new_catalog_version(shop):
    with signed_in_client(shop.url) as client:
        page = client.get(f"/office/stores/{STORE}/catalog")
        assert page.status_code == 200
        rows = re.findall(r'<tr data-category="([^"]+)">', page.text)
        assert {"Bakery", "Dairy", "Produce"} <= set(rows)  # every category of the demo items
        before = _version(shop)

        saved = client.post(f"/office/stores/{STORE}/catalog/categories", headers={"HX-Request": "true"},
                            data={"name": "Bakery", "colour": "#ffe0b2", "position": "1", "csrf_token": _csrf(page.text)})
        assert saved.status_code == 200, saved.text
        assert 'data-category="Bakery"' in saved.text and "background: #FFE0B2" in saved.text
        assert f"catalog version {before + 1}" in saved.text
        assert _categories(shop)["Bakery"] == ("#FFE0B2", 1) and _version(shop) == before + 1

        # Without JavaScript: a redirect back to the page.
        plain = client.post(f"/office/stores/{STORE}/catalog/categories", follow_redirects=False,
                            data={"name": "Dairy", "colour": "#ffffff", "shown_colour": "#ffffff", "no_colour": "1",
                                  "position": "0", "csrf_token": _csrf(page.text)})
        assert plain.status_code == 303
        assert _categories(shop)["Dairy"] == (None, 0)  # "till's own", the picker untouched: no colour
        rows = re.findall(r'<tr data-category="([^"]+)">', client.get(f"/office/stores/{STORE}/catalog").text)
        assert rows[-1] == "Bakery"  # the only one at position 1; the rest at 0 by name
        # A colour picked while "till's own" was left ticked: the picked colour is meant.
        client.post(f"/office/stores/{STORE}/catalog/categories", headers={"HX-Request": "true"},
                    data={"name": "Dairy", "colour": "#e3f2fd", "shown_colour": "#ffffff", "no_colour": "1",
                          "position": "0", "csrf_token": _csrf(page.text)}).raise_for_status()
        assert _categories(shop)["Dairy"] == ("#E3F2FD", 0)

        refused = client.post(f"/office/stores/{STORE}/catalog/categories", headers={"HX-Request": "true"},
                              data={"name": "Bakery", "colour": "#ffe0b2", "position": "first",
                                    "csrf_token": _csrf(page.text)})
        assert "The position must be a whole number" in refused.text and _version(shop) == before + 3


def test_an_office_role_without_catalog_edit_changes_no_colour(shop):
    with signed_in_client(shop.url, CASHIER_ACCOUNT) as client:
        page = client.get(f"/office/stores/{STORE}/catalog")
        before = _version(shop)
        refused = client.post(f"/office/stores/{STORE}/catalog/categories", headers={"HX-Request": "true"},
                              data={"name": "Snacks", "colour": "#263238", "position": "0",
                                    "csrf_token": _csrf(page.text)})
        assert "may not change category colours" in refused.text
        assert _version(shop) == before and "Snacks" not in _categories(shop)
