"""Benchmarks behind `tco bench`: accuracy of the throughput model, speed of the engine."""
