"""Benchmarks: the intake bot under load from simulated complainants (`python -m bench.intake`)."""
