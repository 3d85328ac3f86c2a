"""The phases of a model year, one module each."""
