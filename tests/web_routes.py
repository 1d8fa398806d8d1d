"""Every route of the app's URL map as URLs a client can request, with sample converter values.

A teacher's link route is given each of the real tokens passed in, so that its views run past
"unknown link"; ids are 1 (the first row of each table, when the test made one), UUIDs a fixed
one, ``any(...)`` each of its choices.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from typing import Any

from flask import Flask, url_for
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter, Rule, UUIDConverter

SAMPLE_UUID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def route_urls(app: Flask, tokens: Sequence[str]) -> list[tuple[Rule, str]]:
    """Each rule (``static`` included) with every combination of its sample values."""
    found = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            names = sorted(rule._converters)
            choices = [_samples(name, rule._converters[name], tokens) for name in names]
            for combination in itertools.product(*choices):
                found.append(
                    (rule, url_for(rule.endpoint, **dict(zip(names, combination, strict=True))))
                )
    return found


def _samples(name: str, converter: object, tokens: Sequence[str]) -> list[Any]:
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)
    if isinstance(converter, UUIDConverter):
        return [SAMPLE_UUID]
    if isinstance(converter, IntegerConverter):
        return [1]
    if isinstance(converter, PathConverter):
        return ["xinan.css"]
    if name == "token":
        return list(tokens)
    return ["x"]
