"""Judged relevance: nDCG@10 of the judged queries (bench/judged_queries.py) on a search backend.

    python -m bench.relevance                       # the configured embedded backend
    python -m bench.relevance --backend elasticsearch  # on a test engine this script starts

Two catalogues: the sample portals as ``make demo`` harvests them (82 datasets), and the same
portals with generated datasets (400 each: the benchmark catalogue's distractors, "Jardins
partagés - Lyon 2016 (secteur 8, lot 23)"…). Self-contained, so an older checkout can run it too.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import tempfile
from contextlib import ExitStack
from pathlib import Path


def _judged() -> list:
    # loaded by path, so that an older checkout (first on PYTHONPATH) can be measured with today's judgments
    spec = importlib.util.spec_from_file_location("judged_queries", Path(__file__).with_name("judged_queries.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.JUDGED


JUDGED = _judged()

CORPORA = {"sample": None, "generated": 400}


def grade(title: str, judged: dict[str, int]) -> int:
    """The best grade of the judged prefixes ``title`` starts with (0 when none)."""
    return max((g for prefix, g in judged.items() if title.startswith(prefix)), default=0)


def ndcg_at_10(titles: list[str], judged: dict[str, int], catalogue_titles: list[str]) -> float:
    """nDCG@10 of a ranked list of titles; the ideal ranks the catalogue's best titles first."""
    gains = [grade(t, judged) for t in titles[:10]]
    ideal = sorted((grade(t, judged) for t in catalogue_titles), reverse=True)[:10]
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 1.0


def evaluate(backend) -> dict:
    """Every judged query on ``backend``: mean nDCG@10 in all and per kind, and each query's figures."""
    from service.search.base import SearchQuery

    catalogue_titles = [record.title for record in backend.iter_records()]
    per_query = []
    for q, kind, judged in JUDGED:
        page = backend.search(SearchQuery(q=q, page_size=10))
        titles = [hit.record.title for hit in page.hits]
        per_query.append({"q": q, "kind": kind, "ndcg": ndcg_at_10(titles, judged, catalogue_titles), "total": page.total, "top": titles[:3]})
    kinds = sorted({row["kind"] for row in per_query})
    mean = lambda rows: round(sum(r["ndcg"] for r in rows) / len(rows), 3)  # noqa: E731
    return {
        "ndcg@10": mean(per_query),
        "by_kind": {kind: mean([r for r in per_query if r["kind"] == kind]) for kind in kinds},
        "queries": per_query,
    }


def run(backend_name: str, engine_url: str | None = None) -> dict:
    """Harvest each catalogue into a fresh store of ``backend_name`` and evaluate it."""
    from service.config import Settings
    from service.demo import harvest_demo

    results = {}
    for corpus, size in CORPORA.items():
        with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
            changes = {"database": str(Path(tmp) / "relevance.db"), "search_backend": backend_name}
            if engine_url:
                changes.update(elasticsearch_url=engine_url, elasticsearch_prefix=f"relevance-{corpus}")
            settings = Settings.from_env().with_changes(**changes)
            run_ = harvest_demo(stack, settings, size=size, echo=lambda line: None)
            results[corpus] = evaluate(run_.catalogue.backend)
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance")
    parser.add_argument("--backend", default=None, help="registered backend name (default: the configured one)")
    parser.add_argument("--output", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument("--record", metavar="LABEL", help="keep the summary under LABEL in bench/relevance_results.json (docs/benchmarks.md shows it)")
    args = parser.parse_args(argv)
    from service.config import Settings

    name = args.backend or Settings.from_env().search_backend
    if name == "elasticsearch":
        from tests.engine.opensearch import start_compat_proxy, start_engine

        with tempfile.TemporaryDirectory() as tmp:
            engine = start_engine(Path(tmp) / "engine")
            proxy_url, stop_proxy = start_compat_proxy(engine.url)
            try:
                results = run(name, proxy_url)
            finally:
                stop_proxy()
                engine.stop()
    else:
        results = run(name)
    summary = {corpus: {"ndcg@10": r["ndcg@10"], "by_kind": r["by_kind"]} for corpus, r in results.items()}
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.output:
        args.output.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.record:
        kept = Path(__file__).with_name("relevance_results.json")
        recorded = json.loads(kept.read_text(encoding="utf-8")) if kept.exists() else {}
        recorded[args.record] = summary
        kept.write_text(json.dumps(recorded, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
