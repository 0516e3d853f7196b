"""Benchmarks: `make bench` (bench/run.py). Not tests: nothing here asserts a speed."""
