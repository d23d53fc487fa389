"""Geometry of the charts drawn as SVG by the templates (no JavaScript needed to read them): an
entity's timeline as bars, a network as positioned circles and lines."""
from __future__ import annotations

import math

from search.query.network import layout

TIMELINE_WIDTH, TIMELINE_HEIGHT = 720, 160
MONTHLY_UP_TO = 120  # months shown one bar each; a longer span is drawn per year
NETWORK_WIDTH, NETWORK_HEIGHT, MARGIN = 720, 460, 60
EDGES_DRAWN = 150  # the strongest links; more only blacken the drawing (the API gives them all)


def timeline_bars(timeline: list[dict]) -> dict:
    """Bars for a timeline ({"period", "count"}): one per month from the first to the last (gaps as
    empty months), per year when that spans more than MONTHLY_UP_TO months; undated apart, last."""
    dated = [t for t in timeline if t["period"]]
    undated = sum(t["count"] for t in timeline if not t["period"])
    counts: dict[str, int] = {}
    if dated:
        first, last = dated[0]["period"][:4], dated[-1]["period"][:4]
        months = [f"{y:04d}-{m:02d}" for y in range(int(first), int(last) + 1) for m in range(1, 13)]
        yearly = len(months) > MONTHLY_UP_TO or any(len(t["period"]) == 4 for t in dated)
        slots = [str(y) for y in range(int(first), int(last) + 1)] if yearly else _span(months, dated)
        counts = dict.fromkeys(slots, 0)
        for item in dated:
            counts[item["period"][:4] if yearly else item["period"]] += item["count"]
    labels = list(counts) + ([None] if undated else [])
    values = list(counts.values()) + ([undated] if undated else [])
    if not values:
        return {"bars": [], "width": TIMELINE_WIDTH, "height": TIMELINE_HEIGHT}
    top = max(values) or 1
    step = TIMELINE_WIDTH / len(values)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values)):
        height = round((TIMELINE_HEIGHT - 20) * value / top, 1)
        bars.append({"label": label, "count": value, "x": round(i * step + step * 0.1, 1), "width": round(step * 0.8, 1),
                     "y": round(TIMELINE_HEIGHT - 16 - height, 1), "height": height,
                     "tick": label is None or i == 0 or i == len(values) - 1 or (label or "").endswith("-01")
                     or (len(label or "") == 4 and int(label) % 5 == 0)})
    return {"bars": bars, "width": TIMELINE_WIDTH, "height": TIMELINE_HEIGHT}


def _span(months: list[str], dated: list[dict]) -> list[str]:
    first, last = dated[0]["period"], dated[-1]["period"]
    return [m for m in months if first <= m <= last]


def network_drawing(network: dict) -> dict:
    """Nodes with centres and radii, edges with end points and widths, inside a fixed view box."""
    positions = layout(network)
    largest = max((n["count"] for n in network["nodes"]), default=1) or 1
    heaviest = max((e["weight"] for e in network["edges"]), default=1) or 1
    nodes = []
    for node in network["nodes"]:
        x, y = positions[node["id"]]
        nodes.append({**node, "cx": round(MARGIN + x * (NETWORK_WIDTH - 2 * MARGIN), 1),
                      "cy": round(MARGIN / 2 + y * (NETWORK_HEIGHT - MARGIN), 1),
                      "r": round(4 + 14 * math.sqrt(node["count"] / largest), 1)})
    at = {n["id"]: n for n in nodes}
    edges = [{**e, "x1": at[e["source"]]["cx"], "y1": at[e["source"]]["cy"], "x2": at[e["target"]]["cx"],
              "y2": at[e["target"]]["cy"], "width": round(0.6 + 4 * e["weight"] / heaviest, 1)}
             for e in network["edges"][:EDGES_DRAWN]]
    return {"nodes": nodes, "edges": edges, "width": NETWORK_WIDTH, "height": NETWORK_HEIGHT}
