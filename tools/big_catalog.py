"""A large, deterministic, realistic-looking catalog for benchmarks and scale tests.

    python -m tools.big_catalog --items 100000 --out big.csv [--categories-out big_categories.csv]

Names are brand + product + variant (+ size) from word lists, so a 3-letter prefix matches
what it would in a shop (hundreds to a few thousand items, not all of them); every 50th
item is weighed and has a scale-label key (`28` + 5 digits); every 7th has a second
barcode and every 11th is a UPC-A code; every 97th is inactive; every 13th has a tile colour
of its own. Every category has a colour and a position (`category_styles`, on the first
page of `pages`; `write_categories_csv` for an import).
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from pos_protocol import wire
from pos_terminal.core.barcodes import make_ean13, gs1_check_digit
from pos_terminal.core.catalog import Item, Unit

BRANDS = """Alpina Bergblick Corvin Delmare Elbtal Fjordlys Goldkorn Havelland Isarwerk Jadehof
Kornblume Lindenau Moorland Nordstern Oderhof Pfalzgold Quellgrund Rheinau Sonnental Taunus
Uckermark Vogtland Weserbergland Zugspitz Almhof Brunnen Caldera Dorfmühle Eifelland Frankenhof
Gutshof Harzblick Inselgrün Juraquell Küstenhof Lausitz Mainau Neckartal Ostsee Prignitz
Rhön Spreewald Thüringer Unstrut Wendland Altmark Bodensee Chiemgau Donautal Erzgebirge""".split()
PRODUCTS = """Apples Apricots Bananas Beans Beer Biscuits Bread Broccoli Butter Cabbage Candles Carrots
Cereal Cheese Cherries Chicken Chocolate Chutney Cider Cocoa Coffee Cola Cookies Crackers Cream
Crisps Cucumber Dates Detergent Dumplings Eggs Espresso Figs Flour Garlic Gherkins Gin Granola
Grapes Ham Hazelnuts Herbs Honey Hummus Icecream Jam Juice Kale Ketchup Kiwis Lemonade Lemons
Lentils Lettuce Mango Margarine Marmalade Mayonnaise Melon Milk Mineralwater Muesli Mushrooms
Mustard Napkins Noodles Nuts Oats Olives Onions Oranges Pancakes Paprika Pasta Peaches Pears Peas
Pepper Pesto Pickles Pizza Plums Popcorn Potatoes Pretzels Prunes Pudding Quark Radishes Raisins
Rice Rolls Rum Rye Salami Salmon Salt Sauce Sausages Semolina Shampoo Soap Soup Spinach Sugar
Syrup Tea Toffee Tofu Tomatoes Tortillas Tuna Vinegar Vodka Waffles Walnuts Water Wine Yogurt
Zucchini Toothpaste Sponges Foil Batteries Matches Teabags Muffins Croissants Bagels Brioche""".split()
VARIANTS = """Classic Organic Light Family Bio Premium Fresh Smoked Spicy Mild Sweet Salted Unsalted
Wholegrain Extra Mini Maxi Original Gourmet Rustic Alpine Garden Country Homestyle Crunchy Creamy
Natural Vanilla Strawberry Lemon Mint Herbal Roasted Toasted Golden Dark White Red Green Black
Wild Baked Frozen Chilled Dried Sliced Grated Whole Half Double Triple Select Reserve Harvest
Morning Evening Summer Winter""".split()
SIZES = ["", "", "100 g", "250 g", "500 g", "1 kg", "0.5 l", "1 l", "1.5 l", "6 x 0.33 l", "10 pcs", "2 pcs"]
CATEGORIES = """Bakery Dairy Fruit Vegetables Meat Fish Frozen Drinks Beer&Wine Spirits Coffee&Tea Snacks
Sweets Breakfast Pasta&Rice Canned Sauces Spices Baking Household Cleaning Personal Care Baby
Pets Deli Cheese Counter Organic World Foods Health Stationery Garden Kitchen Party Seasonal
Bio Market Regional Vegan""".split()
# Tile colours, light and dark, so both black and white tile text are exercised.
COLOURS = ("#FFE0B2", "#C8E6C9", "#BBDEFB", "#F8BBD0", "#1565C0", "#B71C1C", "#FFF59D", "#D7CCC8", "#2E7D32",
           "#B2DFDB", "#4A148C", "#E3F2FD")


def category_styles() -> list[wire.CatalogCategory]:
    """Every category's colour and position (by the word list's order, from 1)."""
    return [wire.CatalogCategory(name=name, colour=COLOURS[n % len(COLOURS)], position=n + 1)
            for n, name in enumerate(CATEGORIES)]


def write_categories_csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["category", "colour", "position"])
        out.writerows([c.name, c.colour, c.position] for c in category_styles())
    return path


def make_items(count: int, seed: int = 7) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for n in range(count):
        weighed = n % 50 == 0
        if weighed:
            codes: tuple[str, ...] = (f"28{n // 50:05d}",)
        elif n % 11 == 0:
            body = f"0{n:010d}"
            codes = (body + str(gs1_check_digit(body)),)  # UPC-A, 12 digits
        else:
            codes = (make_ean13(f"40{n:010d}"),)
        if n % 7 == 0 and not weighed:
            codes += (make_ean13(f"41{n:010d}"),)
        name = " ".join(w for w in (rng.choice(BRANDS), rng.choice(PRODUCTS), rng.choice(VARIANTS),
                                    "" if weighed else rng.choice(SIZES)) if w)
        rate_a = n % 3 != 0
        items.append(Item(
            sku=f"SKU{n:06d}", name=name, barcodes=codes, unit=Unit.KG if weighed else Unit.EA,
            price=Decimal(rng.randrange(19, 4999)) / 100, tax_code="A" if rate_a else "B",
            tax_rate=Decimal("0.19") if rate_a else Decimal("0.07"), category=CATEGORIES[n % len(CATEGORIES)],
            active=n % 97 != 1, colour=COLOURS[(n // 13) % len(COLOURS)] if n % 13 == 0 else None,
        ))
    return items


def write_csv(path: Path, items: list[Item]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["sku", "name", "barcodes", "unit", "price", "tax_code", "tax_rate", "category", "active",
                      "colour"])
        for i in items:
            out.writerow([i.sku, i.name, "|".join(i.barcodes), i.unit.value, f"{i.price:.2f}", i.tax_code,
                          str(i.tax_rate), i.category, "true" if i.active else "false", i.colour or ""])
    return path


def wire_item(item: Item) -> wire.CatalogItem:
    return wire.CatalogItem(sku=item.sku, name=item.name, barcodes=list(item.barcodes), unit=item.unit.value,
                            price=item.price, tax_code=item.tax_code, category=item.category, active=item.active,
                            colour=item.colour)


def tax_rates(items: list[Item]) -> list[wire.TaxRate]:
    return [wire.TaxRate(tax_code=c, rate=r) for c, r in sorted({i.tax_code: i.tax_rate for i in items}.items())]


def pages(items: list[Item], size: int, version: int = 1) -> Iterator[wire.CatalogDelta]:
    """The delta of a first pull (since 0) cut into pages as README "Catalog paging" says:
    by SKU, the rates on the first page, `next_cursor` on every page but the last."""
    ordered = sorted(items, key=lambda i: i.sku)
    for start in range(0, len(ordered), size):
        chunk = ordered[start:start + size]
        last = start + size >= len(ordered)
        yield wire.CatalogDelta(version=version, items=[wire_item(i) for i in chunk],
                                tax_rates=tax_rates(items) if start == 0 else [], removed=[],
                                next_cursor=None if last else f"page-{start // size + 1}",
                                categories=category_styles() if start == 0 else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--categories-out", type=Path, help="also write the categories' colours (category,colour,position)")
    args = parser.parse_args()
    write_csv(args.out, make_items(args.items, args.seed))
    if args.categories_out:
        write_categories_csv(args.categories_out)


if __name__ == "__main__":
    main()
