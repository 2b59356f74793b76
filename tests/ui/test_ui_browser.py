"""The pages in headless Chromium against a real ``embedrag serve``: ingest through the page, search
and a shared link, the tokenizer, the map, the contextual chart, errors in plain words, XSS attempts."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

Server = Any  # tests/ui/conftest.py's Server: url, collections, key, api()

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'
ARTICLES = [
    ("rates", "The central bank raised interest rates to slow inflation; mortgages cost more.", "money"),
    ("stocks", "Stock markets fell sharply as investors sold bank shares after weak results.", "money"),
    ("phones", "Mobile phone sales grew fast as cheaper handsets with cameras reached shops.", "tech"),
    ("broadband", "Broadband subscribers in the UK doubled as fast internet reached rural homes.", "tech"),
    ("football", "The football club won the cup final after a late goal in extra time.", "sport"),
    ("tennis", "The tennis champion lost in the second round on a windy afternoon.", "sport"),
    ("xss", f"Markup is stored as text: {XSS} and the page must show it, never run it.", "tech"),
]
DRAWN = "(n) => { const c = document.querySelector('canvas'); return c !== null && Number(c.dataset.drawn) >= n; }"
"""Whether the map's canvas has drawn at least n points (it counts them in data-drawn)."""


@pytest.fixture(scope="session")
def news(server: Server) -> str:
    """A collection of seven short articles (one holding HTML and a script), made through the API."""
    with server.api() as http:
        assert http.post("/v1/collections", json={"name": "news"}).status_code == 201
        documents = [{"id": i, "text": t, "metadata": {"topic": topic}} for i, t, topic in ARTICLES]
        assert http.post("/v1/collections/news/documents", json={"documents": documents}).status_code == 200
    return "news"


def hit_ids(page: Any) -> list[str]:
    page.wait_for_selector("#search-status")
    return [t.split()[-1] for t in page.locator(".hit header").all_inner_texts()]


def test_ingest_through_the_page(page: Any, server: Server) -> None:
    page.goto("/collections")
    page.get_by_label("New collection").fill("uploads")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r"collection=uploads"))
    files = [
        {"name": "birds.md", "mimeType": "text/markdown", "buffer": b"# Birds\n\nSparrows sing at dawn.\n"},
        {"name": "blob.txt", "mimeType": "text/plain", "buffer": b"\x00\x01\x02 binary"},
    ]
    page.get_by_label("Files", exact=True).set_input_files(files)
    page.get_by_role("button", name="Upload and ingest").click()
    page.get_by_text("Done: 2 file(s).").wait_for()
    results = page.get_by_role("list", name="Per-file results").inner_text()
    assert "birds.md: added (1 chunks)" in results and re.search(r"blob\.txt: skipped: .*binary", results)
    page.get_by_label("Document id").fill("pasted")
    page.get_by_label("Text", exact=True).fill("Pasted text about owls hunting at night.")
    page.get_by_role("button", name="Add text").click()
    page.get_by_text("pasted: added (1 chunks)").wait_for()
    delete = page.get_by_role("button", name="Delete pasted")
    page.once("dialog", lambda dialog: dialog.accept())
    delete.click()
    delete.wait_for(state="detached")
    with server.api() as http:
        assert [d["id"] for d in http.get("/v1/collections/uploads/documents").json()["data"]] == ["birds.md"]


def test_search_from_the_form_and_the_same_results_from_its_link(page: Any, news: str, browser: Any) -> None:
    page.goto("/search")
    page.get_by_label("Query").fill("interest rates inflation")
    page.get_by_role("button", name="Search").click()
    first = hit_ids(page)
    assert first[0] == "rates#0"
    marked = page.locator("#hit-1 mark").all_inner_texts()
    assert marked == ["interest", "rates", "inflation"]
    assert "q=interest+rates+inflation" in page.url and f"collection={news}" in page.url
    link = page.url
    other = page.context.new_page()
    other.goto(link)
    assert hit_ids(other) == first
    other.get_by_role("button", name="More like this").first.click()
    other.get_by_role("heading", name="Documents like rates").wait_for()
    assert "similar=rates" in other.url


def test_ask_panel_cites_its_passages(page: Any, news: str) -> None:
    page.goto(f"/search?collection={news}&q=broadband+internet&ask=1")
    page.get_by_role("heading", name="Ask: the cited context").wait_for()
    citation = page.get_by_role("link", name=re.compile(r"^\[1\] "))
    citation.click()
    assert page.url.endswith("#passage-1")
    assert "Broadband" in page.locator("#passage-1").inner_text()


def test_ask_panel_shows_the_llm_answer_as_text_and_its_failure_in_words(page: Any, news: str) -> None:
    # The server has no LLM here: its real /ask answer gets the field a server with --llm-url adds
    # (tests/server/test_server_llm_and_heads.py runs that server against a real chat endpoint).

    reply = f"Broadband doubled [1]. {XSS}"

    def with_answer(route: Any) -> None:
        body = route.fetch().json()
        route.fulfill(status=200, content_type="application/json", body=json.dumps({**body, "answer": reply}))

    page.route("**/v1/collections/*/ask", with_answer)
    page.goto(f"/search?collection={news}&q=broadband+internet&ask=1")
    page.get_by_role("heading", name="Ask: the answer and its cited context").wait_for()
    assert page.locator("#ask-answer").inner_text() == reply
    assert page.locator("#ask-answer img, #ask-answer script").count() == 0
    assert page.evaluate("window.__xss") is None
    assert "Broadband" in page.locator("#passage-1").inner_text()
    page.unroute("**/v1/collections/*/ask")
    error = {
        "message": "LLM endpoint answered HTTP 500: overloaded",
        "type": "api_error",
        "param": None,
        "code": "llm_error",
    }
    page.route("**/v1/collections/*/ask", lambda route: route.fulfill(status=502, json={"error": error}))
    page.goto(f"/search?collection={news}&q=broadband+internet&ask=1")
    alert = page.get_by_role("alert").filter(has_text="there is no answer")
    assert alert.inner_text() == (
        "A service behind the server failed, so there is no answer: LLM endpoint answered HTTP 500: overloaded."
    )
    assert hit_ids(page)[0] == "broadband#0"


def test_html_and_script_in_documents_and_queries_stay_text(page: Any, news: str) -> None:
    query = "markup+stored+text+%3Cscript%3Ewindow.__xss%3D2%3C%2Fscript%3E"
    page.goto(f"/search?collection={news}&mode=bm25&q={query}")
    hit_ids(page)
    shown = page.locator(".hit .text").first.inner_text()
    assert "<script>window.__xss=1</script>" in shown and '<img src=x onerror="window.__xss=1">' in shown
    assert page.locator("main img, main script").count() == 0
    assert page.get_by_label("Query").input_value().startswith("markup stored text <script>")
    page.goto(f"/collections?collection={news}")
    page.get_by_role("button", name="Delete xss").wait_for()
    page.goto(f"/space?collection={news}")
    page.wait_for_function(DRAWN, arg=1)
    assert page.evaluate("window.__xss") is None


def test_tokenizers_side_by_side(page: Any) -> None:
    page.goto("/tokenizer?text=Tokenizers+disagree&a=bert-base-uncased&b=cl100k_base")
    for name in ("cl100k_base", "bert-base-uncased"):  # two requests, either may answer first
        page.get_by_label(f"Tokens of {name}").wait_for()
    bert = page.get_by_label("Tokens of bert-base-uncased").locator(".tok")
    gpt = page.get_by_label("Tokens of cl100k_base").locator(".tok")
    assert bert.all_inner_texts() == ["[CLS]", "token", "##izer", "##s", "disagree", "[SEP]"]
    assert "".join(gpt.all_inner_texts()) == "Tokenizers disagree"
    assert gpt.first.get_attribute("title") == "id 3404"  # cl100k's id for "Token", as tiktoken gives it
    classes = gpt.evaluate_all("els => els.map(e => e.className)")
    assert [c.split(" ")[-1] for c in classes][:3] == ["tok-0", "tok-1", "tok-2"]  # alternating colours
    assert "19 characters" in page.locator(".counts").first.inner_text()


def test_the_map_draws_every_point_and_places_a_query(page: Any, news: str) -> None:
    page.goto(f"/space?collection={news}&color=topic")
    page.wait_for_function(DRAWN, arg=7)
    assert "7 of 7 chunks" in page.get_by_text(re.compile("chunks, PCA")).inner_text()
    legend = page.get_by_role("list", name="Colours").inner_text().split()
    assert legend == ["tech", "money", "sport"]  # most frequent first
    coloured = page.evaluate(
        """() => { const c = document.querySelector('canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
    )
    assert coloured > 7 * 4
    page.get_by_label("Query").fill("football cup goal")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("heading", name=re.compile("Nearest chunks to the query")).wait_for()
    assert page.get_by_role("region", name="Selected point").get_by_role("button").first.inner_text() == "football#0"


def test_the_contextual_chart(page: Any) -> None:
    page.goto("/inside?word=bat&s=A+bat+flew+out+of+the+cave.&s=He+swung+the+bat+at+the+ball.")
    chart = page.locator("svg.chart")
    chart.wait_for()
    assert chart.get_attribute("aria-label") == "Cosine of 'bat' between sentences after each layer of all-MiniLM-L6-v2"
    assert chart.locator("path").count() == 2  # one sentence pair, and the static GloVe line
    assert "static (glove-6B-50d)" in chart.text_content()
    assert chart.locator("circle").count() == 2 * 7


def test_inside_shows_fill_in_and_next_sentence_only_when_heads_are_served(
    page: Any, browser: Any, heads_server: Server
) -> None:
    page.goto("/inside")
    page.locator("svg.chart").wait_for()
    assert page.get_by_role("region", name="Fill in the blank").count() == 0
    context = browser.new_context(base_url=heads_server.url, bypass_csp=True)
    context.add_init_script(f"sessionStorage.setItem('embedrag-api-key', {heads_server.key!r})")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto("/inside")
    blank = tab.get_by_role("region", name="Fill in the blank")
    blank.get_by_label("Text with [MASK]").fill("The <b>river</b> [MASK] flooded.")
    blank.get_by_role("button", name="Fill in").click()
    candidates = blank.locator("ol.candidates li")
    candidates.first.wait_for()
    assert candidates.count() == 5  # the page asks for five; the model is random, so only shapes are checked
    assert all(re.fullmatch(r"\S+ \d+\.\d%", text) for text in candidates.all_inner_texts())
    blank.get_by_label("Text with [MASK]").fill("No blank here.")
    blank.get_by_role("button", name="Fill in").click()
    assert "could not use this input: no [MASK] in the text" in blank.get_by_role("alert").inner_text()
    pair = tab.get_by_role("region", name="Next sentence")
    pair.get_by_role("button", name="Score").click()
    pair.get_by_text(re.compile(r"^P\(B follows A\) = [01]\.\d{4}$")).wait_for()
    context.close()
    assert not errors, errors


def test_api_errors_are_shown_in_plain_words(page: Any, news: str) -> None:
    page.goto("/search?collection=nowhere&q=anything")
    missing = page.get_by_role("alert").filter(has_text="no collection named 'nowhere'")
    assert missing.inner_text().startswith("Not found")
    page.route("**/v1/collections/*/search", lambda route: route.abort())
    page.goto(f"/search?collection={news}&q=rates")
    page.get_by_text("Cannot reach the embedrag server").wait_for()
    page.unroute("**/v1/collections/*/search")
    page.goto(f"/search?collection={news}&q=rates&filter=topic")
    page.get_by_role("alert").filter(has_text='cannot read the filter "topic"').wait_for()
    page.goto(f"/search?collection={news}&q=%20%20")
    page.get_by_role("alert").filter(has_text="could not use this input: the query is empty").wait_for()


def test_the_key_is_asked_once_and_kept_out_of_the_url(browser: Any, server: Server, news: str) -> None:
    context = browser.new_context(base_url=server.url, bypass_csp=True)
    tab = context.new_page()
    tab.goto(f"/search?collection={news}&q=rates")
    dialog = tab.get_by_role("dialog", name="API key")
    dialog.get_by_label("Key").fill("wrong")
    dialog.get_by_role("button", name="Use this key").click()
    tab.get_by_role("alert").filter(has_text="needs an API key").wait_for()
    tab.get_by_role("button", name="API key").click()
    dialog.get_by_label("Key").fill(server.key)
    dialog.get_by_role("button", name="Use this key").click()
    assert hit_ids(tab)[0] == "rates#0"
    tab.get_by_role("link", name="Space").click()
    tab.wait_for_function(DRAWN, arg=1)
    assert server.key not in tab.url
    assert tab.evaluate("sessionStorage.getItem('embedrag-api-key')") == server.key
    context.close()
