"""Search latency of a backend: distinct queries drawn from a vocabulary, each asked once, and a fixed mix."""

from __future__ import annotations

import random
import time

from service.search.base import SearchBackend, SearchQuery

__all__ = ["QUERY_MIX", "distinct_queries", "measure_first_time", "measure_search", "measure_suggest", "percentile", "suggest_prefixes"]

#: words users type: the benchmark catalogue's subjects, keywords, places and common open-data words
VOCABULARY = (
    "consommation électrique bâtiments publics énergie électricité collecte encombrants déchets accidents"
    " circulation sécurité routière subventions associations fréquentation équipements culturels culture"
    " stationnement vélo vélos marchés attribués commande bruit routier nuisances délibérations conseil"
    " municipal permis construire urbanisme effectifs scolaires école écoles jardins partagés agriculture"
    " urbaine paris lyon montpellier france secteur lot données annuel budget transports qualité air eau"
    " parcs arbres piscines bibliothèques élections prénoms recharge tramway trafic parkings mobilité"
    " 2015 2016 2017 2018 2019 2020 2021 2022 2023 2024 2025"
).split()
_FILTERS = (("format", "CSV"), ("format", "JSON"), ("theme", "Environnement"), ("theme", "Transports"), ("keyword", "vélo"))
_SORTS = ("relevance", "relevance", "relevance", "-modified", "title", "-quality")


def distinct_queries(count: int, *, seed: int = 20) -> list[SearchQuery]:
    """``count`` different queries as new users type them: one to three words, sometimes a typo,
    a filter, another sort or a later page."""
    rng = random.Random(seed)
    seen: set[str] = set()
    queries = []
    while len(queries) < count:
        words = [rng.choice(VOCABULARY) for _ in range(rng.choice((1, 1, 2, 2, 3)))]
        if rng.random() < 0.15:
            words[0] = _typo(words[0], rng)
        filters = dict([(name, (value,)) for name, value in [rng.choice(_FILTERS)]]) if rng.random() < 0.25 else {}
        query = SearchQuery(q=" ".join(words), filters=filters, sort=rng.choice(_SORTS), page=rng.choice((1, 1, 1, 2, 3)))
        if repr(query) not in seen:
            seen.add(repr(query))
            queries.append(query)
    return queries


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped


def suggest_prefixes(count: int, *, seed: int = 21) -> list[str]:
    """Distinct prefixes a user types into a search box (two letters and more, sometimes a second word)."""
    rng = random.Random(seed)
    prefixes: dict[str, None] = {}
    while len(prefixes) < count:
        word = rng.choice(VOCABULARY)
        prefix = word[: rng.randint(2, max(2, len(word)))]
        if rng.random() < 0.3:
            prefix = f"{rng.choice(VOCABULARY)} {prefix}"
        prefixes[prefix] = None
    return list(prefixes)


def measure_first_time(backend: SearchBackend, queries: list[SearchQuery]) -> list[float]:
    """Milliseconds of each query, each asked once (no query repeats: nothing can be served from a cache)."""
    backend.warm_up()
    latencies = []
    for query in queries:
        start = time.perf_counter()
        backend.search(query)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def measure_suggest(backend: SearchBackend, prefixes: list[str]) -> list[float]:
    """Milliseconds of each autocompletion, each prefix asked once."""
    latencies = []
    for prefix in prefixes:
        start = time.perf_counter()
        backend.suggest(prefix)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies

#: A fixed mix: free text, filters, facets, sorts and a deep page.
QUERY_MIX = (
    SearchQuery(q="velo"),
    SearchQuery(q="qualité de l'air"),
    SearchQuery(q="stationnement velos", sort="-modified"),
    SearchQuery(q="budget", filters={"format": ("CSV",)}),
    SearchQuery(filters={"theme": ("Transports",)}),
    SearchQuery(filters={"keyword": ("velo",), "license": ("Licence Ouverte / Open Licence version 2.0",)}),
    SearchQuery(q="ecoles", sort="title"),
    SearchQuery(sort="-modified", page=40, page_size=50),
    SearchQuery(q="donnees publiees", page=5),
    SearchQuery(q="subventions associations"),
)


def measure_search(backend: SearchBackend, *, rounds: int = 20) -> list[float]:
    """Milliseconds of each search of the query mix, ``rounds`` times over, after one warm-up pass."""
    for query in QUERY_MIX:
        backend.search(query)
    latencies = []
    for _ in range(rounds):
        for query in QUERY_MIX:
            start = time.perf_counter()
            backend.search(query)
            latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
