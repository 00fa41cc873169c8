"""fedcat benchmarks: ``python -m bench`` regenerates docs/benchmarks.md."""
