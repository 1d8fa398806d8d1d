"""Server-side SVG charts drawn from the published strings only, so a chart shows no more.

Hand-written SVG: no CDN, no script, no font fetched; grey patterns and printed values keep
them readable in black-and-white print; each has a <title> and <desc> as its text alternative.
"""

from __future__ import annotations

from html import escape
from unicodedata import east_asian_width

from reports.tables import Table

FONT = 11
LINE = 13
# An upper estimate of a Latin character's width in ems for sans-serif faces (most are narrower).
LATIN_EM = 0.62
_COLOURS = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")


def _share(text: str) -> float | None:
    """The percentage in a published share such as "12.5% (10.1%–15.2%)"; None when coded."""
    head = text.split(" (")[0].strip()
    if not head.endswith("%") or head.startswith(("<", ">")):
        return None
    return float(head[:-1])


def text_width(text: str, size: float = FONT) -> float:
    """A generous estimate of a label's width in a sans-serif font: a full em for a CJK (wide)
    character, ``LATIN_EM`` of one for any other."""
    return sum(size if east_asian_width(ch) in "WF" else LATIN_EM * size for ch in text)


def wrap(text: str, width: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` (a word wider stays whole)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _label(x: float, y: float, lines: list[str], anchor: str = "start") -> str:
    """One label in one ``<text>``, a ``<tspan>`` per line, ``LINE`` apart."""
    spans = "".join(
        f'<tspan x="{x:g}" dy="{0 if i == 0 else LINE}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}">{spans}</text>'


def heatmap(table: Table) -> str:
    """A group × band heat map of published shares; hidden cells show their mark, hatched.

    Every label is whole: the band names wrap within their column (as wide as the widest word),
    the left margin is as wide as the longest group name.
    """
    bands = table.columns[2:-1:2]
    words = [word for band in bands for word in band.split(" ")]
    cell_w = max(90, int(max((text_width(w) for w in words), default=0)) + 12)
    heads = [wrap(band, cell_w - 8) for band in bands]
    cell_h = 22
    top = 12 + LINE * max((len(h) for h in heads), default=1) + 8
    left = max(120, int(max((text_width(row[0]) for row in table.rows), default=0)) + 14)
    width, height = left + cell_w * len(bands) + 10, top + cell_h * len(table.rows) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-labelledby="t d" font-family="sans-serif" font-size="{FONT}">',
             f'<title id="t">{escape(table.title)}</title>',
             '<desc id="d">热力图，各组各分段占比；“x”与“&lt; k”为不公开的格 Heat map of the '
             'share of each group in each band; hidden cells are marked as in the table.</desc>',
             '<defs><pattern id="h" width="6" height="6" patternUnits="userSpaceOnUse">'
             '<path d="M0 6L6 0" stroke="#999"/></pattern></defs>']  # fmt: skip
    for c, lines in enumerate(heads):
        parts.append(_label(left + c * cell_w + 4, 12 + LINE - 2, lines))
    for r, row in enumerate(table.rows):
        y = top + r * cell_h
        parts.append(f'<text x="4" y="{y + 15}">{escape(row[0])}</text>')
        for c in range(len(bands)):
            count, share = row[2 + 2 * c], row[3 + 2 * c]
            value = _share(share)
            fill = "url(#h)" if value is None else _COLOURS[min(int(value // 20), 4)]
            ink = "#fff" if value is not None and value >= 60 else "#000"
            label = f"{value:.0f}%" if value is not None else (share.split(" (")[0] or count)
            x = left + c * cell_w
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{fill}" stroke="#666"/>'
                f'<text x="{x + 6}" y="{y + 15}" fill="{ink}">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def trend_lines(title: str, waves: list[str], series: dict[str, list[float | None]]) -> str:
    """One line per band across released waves (gaps where a release did not show it).

    Every label is whole: the waves are spaced and the margins sized by their names, the
    legend's column by its longest band name.
    """
    names = [text_width(w) for w in waves] or [0.0]
    step = max(360 / max(len(waves) - 1, 1), max(names) + 12)
    plot_w, plot_h, top = step * max(len(waves) - 1, 1), 180, 20
    left = max(50.0, names[0] / 2 + 6)
    x0 = left + max(plot_w, names[-1] / 2)
    legend = max((text_width(band) for band in series), default=0.0)
    width, height = int(x0 + 34 + legend + 10), 260
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="tt td" font-family="sans-serif" font-size="{FONT}">',
        f'<title id="tt">{escape(title)}</title>',
        f'<desc id="td">趋势：各已发布批次全市各分段占比 Trend of the city share in each band '
        f"across released waves: {escape('; '.join(waves))}</desc>",
        f'<rect x="{left:g}" y="{top}" width="{plot_w:g}" height="{plot_h}" '
        f'fill="none" stroke="#000"/>',
    ]
    for i, wave in enumerate(waves):
        parts.append(_label(left + i * step, top + plot_h + 16, [wave], "middle"))
    dashes = ("", "6 3", "2 2", "8 2 2 2", "1 3")
    for j, (band, values) in enumerate(series.items()):
        points = [
            (left + i * step, top + plot_h * (1 - v / 100))
            for i, v in enumerate(values)
            if v is not None
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="#000" stroke-width="1.5" '
            f'stroke-dasharray="{dashes[j % 5]}"/>'
        )
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>')
        ly = top + 12 + 14 * j
        parts.append(
            f'<line x1="{x0 + 10:g}" y1="{ly - 4}" x2="{x0 + 30:g}" y2="{ly - 4}" '
            f'stroke="#000" stroke-dasharray="{dashes[j % 5]}"/>' + _label(x0 + 34, ly, [band])
        )
    parts.append("</svg>")
    return "".join(parts)
