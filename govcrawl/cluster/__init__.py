"""Scale out on scrapyd: the registry split into shards of sites, one scrapyd job per shard, and the
nodes' captures merged into one central archive.

- ``shards``  — which sites go together (sites sharing a host never split) and a stable shard number
- ``scrapyd`` — scrapyd's JSON API, and the project egg scrapyd runs
- ``schedule``— ``govcrawl cluster crawl``: deploy, schedule, poll, re-run what a dead node left
- ``node``    — the job side: the shard's registry rows, carried by the job itself
- ``merge``   — the nodes' WARCs + captures into the central archive, through the ingest path
- ``compare`` — two archives, report for report and cell for cell (merged vs single machine)
- ``commands``— the ``govcrawl cluster`` subcommands' arguments
"""
