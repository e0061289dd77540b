"""Cases: routing to a coalition, the sealed case package, and its reference."""
