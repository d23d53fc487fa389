"""The co-mention network of a result set: its most named people and organisations, the documents
they share, a layout by networkx, and the same as GEXF for Gephi."""
from __future__ import annotations

import networkx as nx
import numpy as np

GRAPH_NODES = 30  # entities in a network unless asked otherwise
MAX_NODES = 100


def co_mentions(view, docs: np.ndarray, limit: int = GRAPH_NODES) -> dict:
    """{"nodes": [{"id", "kind", "key", "name", "count"}], "edges": [{"source", "target", "weight"}]}:
    the `limit` entities named in most of the documents of the mask `docs`, and per pair the
    documents naming both."""
    candidates = []
    for kind in ("person", "org"):
        table = view.tables[kind]
        counts = table.counts(docs)
        top = np.flatnonzero(counts)[np.argsort(-counts[counts > 0], kind="stable")][:limit]
        candidates += [(-int(counts[i]), kind, table.values[i], int(i)) for i in top.tolist()]
    candidates.sort(key=lambda c: (c[0], c[1], c[2].lower()))
    chosen = candidates[:limit]
    nodes = [{"id": f"{kind}:{view.key(kind, name)}", "kind": kind, "key": view.key(kind, name), "name": name,
              "count": -neg} for neg, kind, name, _ in chosen]
    if not chosen:
        return {"nodes": [], "edges": []}
    column = {(kind, i): n for n, (_neg, kind, _name, i) in enumerate(chosen)}
    rows_doc, rows_node = [], []
    for kind in ("person", "org"):
        table = view.tables[kind]
        lookup = np.full(len(table.values) or 1, -1, dtype=np.int64)
        for (k, i), n in column.items():
            if k == kind:
                lookup[i] = n
        node = lookup[table.value_rows] if len(table.value_rows) else np.zeros(0, dtype=np.int64)
        keep = (node >= 0) & docs[table.doc_rows]
        rows_doc.append(table.doc_rows[keep])
        rows_node.append(node[keep])
    doc_rows, node_rows = np.concatenate(rows_doc), np.concatenate(rows_node)
    unique_docs, doc_index = np.unique(doc_rows, return_inverse=True)
    incidence = np.zeros((len(unique_docs), len(chosen)), dtype=bool)
    incidence[doc_index, node_rows] = True
    # Per node, the documents naming it summed over the others (no BLAS: its threads stall a busy server).
    shared = np.zeros((len(chosen), len(chosen)), dtype=np.int64)
    for node in range(len(chosen)):
        shared[node] = incidence[incidence[:, node]].sum(axis=0)
    first, second = np.nonzero(np.triu(shared, 1))
    edges = [{"source": nodes[a]["id"], "target": nodes[b]["id"], "weight": int(shared[a, b])}
             for a, b in zip(first.tolist(), second.tolist())]
    edges.sort(key=lambda e: -e["weight"])
    return {"nodes": nodes, "edges": edges}


def _graph(network: dict) -> nx.Graph:
    graph = nx.Graph()
    for node in network["nodes"]:
        graph.add_node(node["id"], label=node["name"], kind=node["kind"], key=node["key"], count=node["count"])
    for edge in network["edges"]:
        graph.add_edge(edge["source"], edge["target"], weight=edge["weight"])
    return graph


def layout(network: dict, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Each node's position in the unit square (networkx's spring layout, weighted, seeded)."""
    if not network["nodes"]:
        return {}
    positions = nx.spring_layout(_graph(network), weight="weight", seed=seed, iterations=60)
    xs = np.asarray([p[0] for p in positions.values()])
    ys = np.asarray([p[1] for p in positions.values()])
    span_x, span_y = float(np.ptp(xs)) or 1.0, float(np.ptp(ys)) or 1.0
    return {node: ((float(p[0]) - xs.min()) / span_x, (float(p[1]) - ys.min()) / span_y)
            for node, p in positions.items()}


def gexf(network: dict) -> str:
    """The network as GEXF 1.2 (Gephi): nodes labelled with names, kind, key and count as attributes."""
    return "\n".join(nx.generate_gexf(_graph(network), encoding="utf-8", version="1.2draft")) + "\n"
