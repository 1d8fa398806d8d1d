"""The form codes of an item's options: what a page posts for each answer."""

from __future__ import annotations

from fractions import Fraction

import pytest

from instruments import instruments_by_id
from instruments.model import Item, Option, Text


def _item(*values: Fraction) -> Item:
    return Item("x_1", Text("题", "item"), tuple(Option(v, Text(str(v), str(v))) for v in values))


def test_every_shipped_item_posts_its_published_values_as_text() -> None:
    for instrument in instruments_by_id().values():
        for item in instrument.items:
            assert {int(code): value for code, value in item.codes.items()} == {
                int(v): int(v) for v in item.values
            }, item.id


def test_codes_are_read_only_and_built_once() -> None:
    item = _item(Fraction(0), Fraction(1))
    assert item.codes is item.codes
    with pytest.raises(TypeError):
        item.codes["2"] = 2  # type: ignore[index]


def test_an_option_that_is_not_a_whole_number_cannot_be_posted() -> None:
    with pytest.raises(ValueError, match="x_1"):
        _ = _item(Fraction(0), Fraction(1, 2)).codes
