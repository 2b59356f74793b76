"""Page furniture: the parts of a web page a reader skips (navigation, sidebars, banners, permalinks).

Rules are data. An element is furniture when its tag, its ARIA role, or a word of its
``class``/``id`` says so; some rules hold only outside the page's main region (an
``<aside>`` inside the main text is a footnote or a sidebar note, one beside it is a
site sidebar). The main region is the first of :data:`MAIN_SELECTORS` the page has.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["MAIN_SELECTORS", "is_furniture", "is_permalink"]

MAIN_SELECTORS = ("main", "[role=main]", "article", "#main-content", "#content", "div.body", "div.document")
"""Where a page's main text lives, most explicit first (``div.body``: Sphinx; ``#content``: many CMSs)."""

# Furniture wherever it stands.
_TAGS = frozenset({"nav", "button", "select", "input", "textarea", "dialog"})
_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "menu", "menubar", "toolbar", "dialog"})
_WORDS = frozenset(
    "cookie cookies consent gdpr breadcrumb breadcrumbs skip skiplink headerlink share sharing social "  # noqa: SIM905
    "newsletter advert advertisement ads sponsored popup modal sphinxsidebar".split()
)
# Furniture only outside the main region (inside it, the same markup carries text to read).
_OUTER_TAGS = frozenset({"header", "footer", "aside", "form"})
_OUTER_ROLES = frozenset({"complementary"})
_OUTER_WORDS = frozenset("sidebar nav navbar menu footer header masthead related toc topbar".split())  # noqa: SIM905
# A footer inside the main text is still a footer: share links, tags, "last updated".
_INNER_TAGS = frozenset({"footer"})

_SPLIT = re.compile(r"[\s_-]+")
_PERMALINK_TEXTS = frozenset({"", "¶", "#", "§", "🔗", "link", "permalink"})


def _words(attributes: Mapping[str, str | None]) -> set[str]:
    names = f"{attributes.get('class') or ''} {attributes.get('id') or ''}".lower()
    return {word for word in _SPLIT.split(names) if word}


def is_furniture(tag: str, attributes: Mapping[str, str | None], *, inside_main: bool) -> bool:
    """Whether an element (its tag and attributes) is page furniture where it stands.

    >>> is_furniture("div", {"class": "cookie-banner", "id": None}, inside_main=True)
    True
    >>> is_furniture("div", {"class": "sidebar"}, inside_main=True), is_furniture("aside", {}, inside_main=True)
    (False, False)
    >>> is_furniture("aside", {}, inside_main=False), is_furniture("div", {"role": "navigation"}, inside_main=True)
    (True, True)
    """
    style = (attributes.get("style") or "").replace(" ", "").lower()
    if tag in _TAGS or attributes.get("aria-hidden") == "true" or "display:none" in style:
        return True
    role = (attributes.get("role") or "").lower()
    words = _words(attributes)
    if role in _ROLES or not words.isdisjoint(_WORDS):
        return True
    if inside_main:
        return tag in _INNER_TAGS
    return tag in _OUTER_TAGS or role in _OUTER_ROLES or not words.isdisjoint(_OUTER_WORDS)


def is_permalink(attributes: Mapping[str, str | None], text: str) -> bool:
    """Whether a link is a heading's permalink (Sphinx's "¶", "#", "§"): a mark, not text.

    >>> is_permalink({"href": "#install", "class": "headerlink"}, "¶"), is_permalink({"href": "#x"}, "see x")
    (True, False)
    """
    href = attributes.get("href") or ""
    return href.startswith("#") and text.strip().lower() in _PERMALINK_TEXTS
