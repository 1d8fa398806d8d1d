"""Server-side SVG charts drawn from the published strings only, so a chart shows no more.

Hand-written SVG: no CDN, no script, no font fetched; grey patterns and printed values keep
them readable in black-and-white print; each has a <title> and <desc> as its text alternative.
"""

from __future__ import annotations

from html import escape

from reports.tables import Table

_COLOURS = ("#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b")


def _share(text: str) -> float | None:
    """The percentage in a published share such as "12.5% (10.1%–15.2%)"; None when coded."""
    head = text.split(" (")[0].strip()
    if not head.endswith("%") or head.startswith(("<", ">")):
        return None
    return float(head[:-1])


def heatmap(table: Table) -> str:
    """A group × band heat map of published shares; hidden cells show their mark, hatched."""
    bands = table.columns[2:-1:2]
    cell_w, cell_h, left, top = 90, 22, 180, 60
    width, height = left + cell_w * len(bands) + 10, top + cell_h * len(table.rows) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-labelledby="t d" font-family="sans-serif" font-size="11">',
             f'<title id="t">{escape(table.title)}</title>',
             '<desc id="d">热力图，各组各分段占比；“x”与“&lt; k”为不公开的格 Heat map of the '
             'share of each group in each band; hidden cells are marked as in the table.</desc>',
             '<defs><pattern id="h" width="6" height="6" patternUnits="userSpaceOnUse">'
             '<path d="M0 6L6 0" stroke="#999"/></pattern></defs>']  # fmt: skip
    for c, band in enumerate(bands):
        x = left + c * cell_w
        parts.append(f'<text x="{x + 4}" y="{top - 8}">{escape(band[:14])}</text>')
    for r, row in enumerate(table.rows):
        y = top + r * cell_h
        parts.append(f'<text x="4" y="{y + 15}">{escape(row[0][:24])}</text>')
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
    """One line per band across released waves (gaps where a release did not show it)."""
    width, height, left, top, plot_w, plot_h = 560, 260, 50, 20, 360, 180
    step = plot_w / max(len(waves) - 1, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="tt td" font-family="sans-serif" font-size="11">',
        f'<title id="tt">{escape(title)}</title>',
        f'<desc id="td">趋势：各已发布批次全市各分段占比 Trend of the city share in each band '
        f"across released waves: {escape('; '.join(waves))}</desc>",
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" '
        f'fill="none" stroke="#000"/>',
    ]
    for i, wave in enumerate(waves):
        x = left + i * step
        parts.append(
            f'<text x="{x}" y="{top + plot_h + 16}" text-anchor="middle">{escape(wave[:16])}</text>'
        )
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
        x0 = left + plot_w
        parts.append(
            f'<line x1="{x0 + 10}" y1="{ly - 4}" x2="{x0 + 30}" y2="{ly - 4}" '
            f'stroke="#000" stroke-dasharray="{dashes[j % 5]}"/>'
            f'<text x="{x0 + 34}" y="{ly}">{escape(band[:20])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
