"""Measurements of extraction and search quality against hand labels."""
