"""Collectors of subscriber counts, one module per platform."""
