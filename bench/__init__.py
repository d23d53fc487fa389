"""`make bench`: a seeded, reproducible performance benchmark of indexing and search at archive scale."""
