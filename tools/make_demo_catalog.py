"""Regenerates terminal/pos_terminal/resources/demo_catalog.csv and demo_categories.csv (the
categories' tile colours and positions; deterministic). Run: python -m tools.make_demo_catalog

Piece items carry EAN-13 codes (prefix 400, valid check digit). Weighed items carry a
GS1 variable-measure key: prefix "28" (weight layout) + 5-digit item reference; the
scale label appends the weight and check digits (see pos_terminal/core/barcodes.py).
"""

import csv
import random
from decimal import Decimal
from pathlib import Path

CATEGORIES = {
    "Bakery": ("B", ["Bread", "Roll", "Croissant", "Baguette", "Pretzel", "Muffin", "Bagel"]),
    "Dairy": ("B", ["Milk", "Yogurt", "Butter", "Cheese", "Cream", "Quark", "Kefir"]),
    "Beverages": ("A", ["Water", "Cola", "Juice", "Lemonade", "Iced Tea", "Beer", "Wine"]),
    "Snacks": ("B", ["Chips", "Chocolate", "Cookies", "Nuts", "Pretzel Sticks", "Gummies"]),
    "Household": ("A", ["Detergent", "Dish Soap", "Sponges", "Paper Towels", "Bin Bags"]),
    "Personal Care": ("A", ["Shampoo", "Soap", "Toothpaste", "Deodorant", "Lotion"]),
    "Pantry": ("B", ["Pasta", "Rice", "Flour", "Sugar", "Olive Oil", "Coffee", "Tea"]),
}
WEIGHED = {
    "Produce": ["Apples", "Bananas", "Tomatoes", "Potatoes", "Carrots", "Grapes", "Pears",
                "Onions", "Peppers", "Cucumbers", "Mushrooms", "Oranges", "Lemons", "Kiwis"],
    "Deli": ["Ham", "Salami", "Gouda", "Olives", "Turkey Breast", "Brie", "Smoked Salmon"],
    "Butcher": ["Minced Beef", "Chicken Breast", "Pork Chops", "Sausages", "Lamb Leg"],
}
VARIANTS = ["Classic", "Organic", "Family Pack", "Light", "Premium", "Value", "Mini"]
RATES = {"A": "0.19", "B": "0.07"}
# Tile colours by category, in the order the tills show them (fresh food first). Light and
# dark ones both: the till writes black or white text by the colour's luminance.
COLOURS = {
    "Produce": "#A5D6A7", "Bakery": "#FFE0B2", "Dairy": "#E3F2FD", "Butcher": "#B71C1C", "Deli": "#F8BBD0",
    "Beverages": "#1565C0", "Snacks": "#FFF59D", "Pantry": "#D7CCC8", "Household": "#B2DFDB",
    "Personal Care": "#D1C4E9",
}
RESOURCES = Path(__file__).resolve().parent.parent / "terminal" / "pos_terminal" / "resources"


def ean13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def main() -> None:
    rng = random.Random(20261121)
    rows = []
    n = 0
    for category, (tax, products) in CATEGORIES.items():
        for product in products:
            for variant in VARIANTS:
                n += 1
                price = Decimal(rng.randrange(49, 1999)) / 100
                rows.append([f"SKU{n:05d}", f"{product} {variant}", ean13(f"4001234{n:05d}"),
                             "ea", f"{price:.2f}", tax, RATES[tax], category, "true"])
    ref = 0
    for category, products in WEIGHED.items():
        for product in products:
            ref += 1
            price = Decimal(rng.randrange(99, 2999)) / 100  # per kg
            rows.append([f"KG{ref:05d}", f"{product} (per kg)", f"28{ref:05d}", "kg",
                         f"{price:.2f}", "B", RATES["B"], category, "true"])
    rows[5][-1] = "false"  # one delisted item, for the ITEM_INACTIVE path
    out = RESOURCES / "demo_catalog.csv"
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["sku", "name", "barcodes", "unit", "price", "tax_code", "tax_rate",
                         "category", "active"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} items to {out}")
    write_categories(RESOURCES / "demo_categories.csv")


def write_categories(out: Path) -> None:
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["category", "colour", "position"])
        writer.writerows([name, colour, position] for position, (name, colour) in enumerate(COLOURS.items(), 1))
    print(f"wrote {len(COLOURS)} categories to {out}")


if __name__ == "__main__":
    main()
