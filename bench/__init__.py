"""Benchmarks: each script prints a table (python bench/<name>.py --help)."""
