"""Entities over HTTP on a real index of the seeds: the list, pages, the network, names in the
interface's language, and curation by editors (API and browser forms) across a full reindex."""
from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET

import pytest

from search.index import store
from webui import create_app

TOKEN = "s3cret-editor-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def editor_app(docs_dir, index_dir):
    return create_app({"TESTING": True, "DOCS_DIR": str(docs_dir), "INDEX_DIR": str(index_dir), "EDITOR_TOKEN": TOKEN})


def person_counts(client) -> dict[str, int]:
    return {v["value"]: v["count"] for v in client.get("/api/search").get_json()["facets"]["person"]}


def key_of(client, kind: str, part: str) -> str:
    return client.get(f"/api/entities?kind={kind}&q={part}").get_json()["results"][0]["key"]


def test_entity_list_and_page_answer_the_design_shapes(client):
    listing = client.get("/api/entities?kind=person&sort=count").get_json()
    assert set(listing) >= {"kind", "total", "results"} and listing["kind"] == "person"
    assert set(listing["results"][0]) == {"key", "name", "count", "first", "last"}
    page = client.get(f"/api/entities/person/{listing['results'][0]['key']}").get_json()
    assert set(page) >= {"kind", "key", "name", "count", "variants", "roles", "timeline", "related", "meetings"}
    assert set(page["related"]) == {"person", "org"}
    assert sum(t["count"] for t in page["timeline"]) == page["count"]


@pytest.mark.parametrize("url, status", [
    ("/api/entities/person/nobody", 404), ("/api/entities/planet/x", 404), ("/api/entities?kind=planet", 400),
    ("/api/entities?sort=size", 400), ("/api/entities?per_page=0", 400), ("/api/graph?limit=1000", 400),
])
def test_bad_entity_requests_get_json_errors(client, url, status):
    response = client.get(url)
    assert response.status_code == status and "error" in response.get_json()


def test_facet_values_carry_their_key_and_link_to_their_page(client):
    facets = client.get("/api/search").get_json()["facets"]
    icesco = next(v for v in facets["org"] if v["value"] == "ICESCO")
    assert icesco["key"] == "icesco"
    assert "key" not in facets["year"][0]
    assert 'href="/entity/org/icesco"' in client.get("/").get_data(as_text=True)


def test_entity_page_draws_its_timeline_and_links_a_meeting_to_its_sentence(client):
    key = key_of(client, "person", "AlMalik")
    html = client.get(f"/entity/person/{key}").get_data(as_text=True)
    assert '<svg class="timeline-svg"' in html and 'id="timeline-table"' in html
    assert "Saud Al-Harbi" in html and 'class="network-svg"' in html
    link = re.search(r'href="(/doc/003[^"]+\?sentence=\d+-\d+)#sentence"', html).group(1)
    document = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    sentence = re.search(r'<mark class="sentence" id="sentence">(.*?)</mark>(?!</mark>)', document, re.S).group(1)
    assert "received Dr. Saud Al-Harbi" in sentence
    assert client.get("/entities?kind=org&q=league").status_code == 200


def test_network_of_a_search_as_json_gexf_and_svg(client):
    graph = client.get("/api/graph?q=AICTO&limit=5").get_json()
    assert len(graph["nodes"]) == 5 and {"id", "kind", "key", "name", "count"} <= set(graph["nodes"][0])
    assert all({"source", "target", "weight"} == set(e) for e in graph["edges"])
    root = ET.fromstring(client.get("/api/graph.gexf?q=AICTO&limit=5").data)
    assert len(root.findall(".//{*}node")) == 5
    html = client.get("/?q=AICTO&network=1").get_data(as_text=True)
    assert 'class="network-svg"' in html and "graph.js" in html
    assert 'class="network-svg"' not in client.get("/?q=AICTO").get_data(as_text=True)


def test_organisations_show_under_the_interface_languages_name(client):
    def facets(html: str) -> str:
        return re.search(r'<aside [^>]*class="facets".*?</aside>', html, re.S).group(0)

    french = facets(client.get("/?ui=fr").get_data(as_text=True))
    assert "Ligue des États arabes" in french and "League of Arab States" not in french
    english = facets(client.get("/?ui=en").get_data(as_text=True))
    assert "League of Arab States" in english and "Ligue des États arabes" not in english
    chip = client.get("/?ui=fr&org=League+of+Arab+States").get_data(as_text=True)
    assert re.search(r'class="chip".*?Ligue des États arabes', chip, re.S)
    export = client.get("/api/export.json?ui=fr").get_json()
    assert any("Ligue des États arabes" in row["organisations"] for row in export["results"])
    # the API keeps the canonical name, and filters take it
    assert any(v["value"] == "League of Arab States" for v in client.get("/api/search").get_json()["facets"]["org"])


def test_editing_is_refused_without_a_token_setting(client):
    key = key_of(client, "person", "Harbi")
    response = client.post(f"/api/entities/person/{key}/merge", json={"into": "slm--mlk"}, headers=AUTH)
    assert response.status_code == 403
    assert client.delete("/api/curation/1", headers=AUTH).status_code == 403
    assert client.get("/editor").status_code == 403


def test_a_wrong_or_missing_token_gets_401(editor_app):
    client = editor_app.test_client()
    key = key_of(client, "person", "Harbi")
    assert client.post(f"/api/entities/person/{key}/suppress").status_code == 401
    assert client.post(f"/api/entities/person/{key}/suppress", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert "Saud Al-Harbi" in person_counts(client)


def test_an_editors_merge_applies_at_once_survives_a_full_reindex_and_undoes(editor_app, docs_dir, index_dir):
    client = editor_app.test_client()
    before = person_counts(client)
    harbi, malik = key_of(client, "person", "Harbi"), key_of(client, "person", "AlMalik")
    ben_omar = key_of(client, "person", "Omar")
    started = time.perf_counter()
    response = client.post(f"/api/entities/person/{ben_omar}/merge", json={"into": harbi}, headers=AUTH)
    assert response.status_code == 201, response.get_json()
    merged = person_counts(client)
    assert time.perf_counter() - started < 2
    assert "Mohamed Ben Omar" not in merged
    assert merged["Saud Al-Harbi"] == before["Saud Al-Harbi"] + before["Mohamed Ben Omar"]
    action = response.get_json()
    assert action["action"] == "merge" and set(action["keys"]) == {ben_omar, harbi} and action["at"]
    assert client.get("/api/curation").get_json()[0]["id"] == action["id"]
    assert "Mohamed Ben Omar" in (docs_dir / "curation.toml").read_text(encoding="utf-8")
    filtered = client.get("/api/search?person=Saud+Al-Harbi").get_json()
    assert filtered["total"] == merged["Saud Al-Harbi"]

    generation = store.current_generation(index_dir).name
    result = editor_app.test_cli_runner().invoke(args=["reindex", "--full"])
    assert result.exit_code == 0, result.output
    assert store.current_generation(index_dir).name != generation
    assert person_counts(client) == merged, "the merge applies to the rebuilt index"
    assert client.get(f"/api/entities/person/{ben_omar}").get_json()["name"] == "Saud Al-Harbi"

    assert client.delete(f"/api/curation/{action['id']}", headers=AUTH).status_code == 200
    assert person_counts(client) == before
    assert client.delete(f"/api/curation/{action['id']}", headers=AUTH).status_code == 404
    assert client.get(f"/api/entities/person/{malik}").status_code == 200


def test_a_broken_curation_file_stops_the_reindex_in_one_line(editor_app, docs_dir, index_dir):
    client = editor_app.test_client()
    key = key_of(client, "person", "Harbi")
    assert client.post(f"/api/entities/person/{key}/suppress", headers=AUTH).status_code == 201
    assert "Saud Al-Harbi" not in person_counts(client)
    served = store.current_generation(index_dir).name
    path = docs_dir / "curation.toml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good + '\n[[person]]\nid = 9\nname = "Unclosed\n', encoding="utf-8")
    broken_line = len(good.splitlines()) + 4
    result = editor_app.test_cli_runner().invoke(args=["reindex", "--full"])
    assert result.exit_code != 0
    message = result.output.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert "curation.toml" in message and re.search(rf"line {broken_line}\b", message)
    assert "previous index is still serving" in message
    assert store.current_generation(index_dir).name == served
    assert "Saud Al-Harbi" not in person_counts(client), "the last good curation list keeps applying"
    path.write_text('[[person]]\nname = "X"\naction = "melt"\n', encoding="utf-8")
    result = editor_app.test_cli_runner().invoke(args=["reindex"])
    assert result.exit_code != 0 and "curation.toml, line 1:" in result.output and "merge, rename, suppress" in result.output


def test_browser_forms_need_the_editors_session_and_csrf_token(editor_app):
    client = editor_app.test_client()
    key = key_of(client, "person", "Harbi")
    assert client.post("/editor", data={"token": "wrong"}).status_code == 401
    assert client.post(f"/entity/person/{key}/edit", data={"action": "suppress"}).status_code == 403
    assert client.post("/editor", data={"token": TOKEN}).status_code == 302
    page = client.get(f"/entity/person/{key}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post(f"/entity/person/{key}/edit", data={"action": "suppress", "csrf_token": "forged"}).status_code == 403
    response = client.post(f"/entity/person/{key}/edit", data={"action": "suppress", "csrf_token": csrf})
    assert response.status_code == 302 and "Saud Al-Harbi" not in person_counts(client)
    listing = client.get("/curation").get_data(as_text=True)
    assert "Saud Al-Harbi" in listing and "Undo" in listing
    ident = client.get("/api/curation").get_json()[0]["id"]
    assert client.post(f"/curation/{ident}/undo", data={"csrf_token": csrf}).status_code == 302
    assert "Saud Al-Harbi" in person_counts(client)
