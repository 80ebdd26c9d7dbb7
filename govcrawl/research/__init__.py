"""Stage 4, the research faces: read-only views of the archive (export, query, Datasette).

They read the database and never write it; ``codebook`` describes every column they publish.
"""
