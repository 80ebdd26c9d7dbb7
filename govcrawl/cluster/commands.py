"""``govcrawl cluster …``: argument parsing for the subcommand group; the work is in this package."""
from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_STATE = "data/cluster/state.json"


def cmd_crawl(args) -> int:
    from govcrawl.cluster.schedule import Coordinator, format_result
    from govcrawl.cluster.shards import ShardTooLarge

    settings = dict(kv.split("=", 1) for kv in args.set or [])
    if args.delay is not None:
        settings.update(DOWNLOAD_DELAY=str(args.delay), AUTOTHROTTLE_START_DELAY=str(max(args.delay, 0.01)))
    if args.max_runtime:
        settings["CLOSESPIDER_TIMEOUT"] = str(args.max_runtime)
    coordinator = Coordinator(args.nodes, sites_file=args.sites, shards=args.shards, state_path=args.state,
                              night=args.night, settings=settings, poll=args.poll, timeout=args.timeout,
                              out=lambda line: print(line, flush=True))
    try:
        result = coordinator.run()
    except ShardTooLarge as exc:
        print(f"govcrawl cluster: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"govcrawl cluster: stopped following; the jobs go on on their nodes. Run the same command "
              f"again (state in {args.state}) to follow them and re-run what did not finish.", file=sys.stderr)
        return 130
    print(format_result(result))
    return 1 if result.unfinished else 0


def cmd_merge(args) -> int:
    from govcrawl.cluster.merge import merge_nodes

    try:
        summary = merge_nodes(args.db, args.warc_dir, args.sources, workers=args.workers,
                              progress=lambda line: print(line, file=sys.stderr, flush=True))
    except FileNotFoundError as exc:
        print(f"govcrawl cluster merge: {exc}", file=sys.stderr)
        return 2
    print(summary)
    if summary.ingest.failed:
        print(f"govcrawl cluster merge: {summary.ingest.failed} report chain(s) could not be read back from "
              "the WARCs (a node's folder not copied yet?); they are ingested by the next merge",
              file=sys.stderr)
        return 1
    return 0


def cmd_compare(args) -> int:
    from govcrawl.cluster.compare import compare_archives, counts

    for db in (args.a, args.b):
        if not Path(db).exists():
            print(f"govcrawl cluster compare: no archive at {db}", file=sys.stderr)
            return 2
    differences = compare_archives(args.a, args.b)
    if differences:
        print("\n".join(differences))
        return 1
    n = counts(args.a)
    print(f"identical: {n['reports']} report versions, {n['cells']} cells, {n['checks']} checks, "
          f"{n['sections']} sections, {n['attachments']} attachments, {n['rejected']} rejected pages, "
          f"{n['captures']} distinct captures")
    return 0


def cmd_shards(args) -> int:
    from govcrawl.cluster.shards import split
    from govcrawl.registry import load_sites

    sites = load_sites(args.sites)
    shards = split(sites, args.shards)
    for shard in shards:
        print(f"{shard.key}  {len(shard.site_ids):>5} sites  {shard.groups:>5} host groups  "
              f"{' '.join(shard.site_ids)}")
    print(f"{len(sites)} sites in {len(shards)} non-empty shards of {args.shards}")
    return 0


def cmd_node_config(args) -> int:
    from govcrawl.cluster.scrapyd import node_config

    text = node_config(port=args.port, bind=args.bind, max_proc=args.max_proc)
    if args.dir:
        path = Path(args.dir) / "scrapyd.conf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}; start the node with: cd {args.dir} && scrapyd")
    else:
        print(text, end="")
    return 0


def add_parser(sub, *, default_sites: str, default_db: str, default_warc: str) -> None:
    """Register ``govcrawl cluster`` and its subcommands on the main parser's subparsers."""
    cl = sub.add_parser("cluster", help="crawl on several scrapyd nodes (one job per shard of sites) "
                                         "and merge their captures")
    csub = cl.add_subparsers(dest="cluster_command", required=True, metavar="STEP")

    c = csub.add_parser("crawl", help="deploy to the nodes, schedule one job per shard, follow them to the end")
    c.add_argument("--nodes", nargs="+", required=True, metavar="URL",
                   help="scrapyd nodes, e.g. http://10.0.0.5:6800 http://10.0.0.6:6800")
    c.add_argument("--shards", type=int, default=8,
                   help="number of shards (default 8); keep it the same from night to night")
    c.add_argument("--sites", default=default_sites, help=f"site registry CSV (default {default_sites})")
    c.add_argument("--state", default=DEFAULT_STATE, help=f"the coordinator's state file (default {DEFAULT_STATE})")
    c.add_argument("--night", help="name of this night's run (default: today's UTC date); "
                                   "shards done under the same name are not run again")
    c.add_argument("--delay", type=float, help="seconds between requests to one site (default from settings)")
    c.add_argument("--max-runtime", type=float, metavar="SECONDS", help="each job stops cleanly after this long")
    c.add_argument("--poll", type=float, default=5.0, help="seconds between polls of the nodes (default 5)")
    c.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="stop following after this long; a later run picks the jobs up again")
    c.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="a setting for every job")
    c.set_defaults(func=cmd_crawl)

    m = csub.add_parser("merge", help="index the nodes' WARCs (captures + report chains) and build their reports in the central archive")
    m.add_argument("sources", nargs="+", metavar="DIR",
                   help="copies of the nodes' working directories (or their shards/ folders)")
    m.add_argument("--db", default=default_db, help=f"central archive (default {default_db})")
    m.add_argument("--warc-dir", default=default_warc, help=f"central WARC folder (default {default_warc})")
    m.add_argument("--workers", type=int, default=2, help="extraction processes (default 2)")
    m.set_defaults(func=cmd_merge)

    x = csub.add_parser("compare", help="are two archives the same, report for report and cell for cell?")
    x.add_argument("a", help="an archive, e.g. the merged one")
    x.add_argument("b", help="another, e.g. a single-machine crawl of the same registry")
    x.set_defaults(func=cmd_compare)

    s = csub.add_parser("shards", help="show how the registry splits into shards")
    s.add_argument("--shards", type=int, default=8)
    s.add_argument("--sites", default=default_sites, help=f"site registry CSV (default {default_sites})")
    s.set_defaults(func=cmd_shards)

    n = csub.add_parser("node-config", help="print (or write into DIR) a scrapyd.conf for a crawl node")
    n.add_argument("dir", nargs="?", help="the node's working directory (writes DIR/scrapyd.conf)")
    n.add_argument("--port", type=int, default=6800)
    n.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    n.add_argument("--max-proc", type=int, default=2, help="shard jobs at once (default 2)")
    n.set_defaults(func=cmd_node_config)
