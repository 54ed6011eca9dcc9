"""The service's own resident memory over many short cycles.

    python bench/bench_service.py               # 500 cycles (about 10 minutes on 2 cores)
    python bench/bench_service.py --cycles 100

Each cycle is exactly what the scheduler runs for a source (monitor.service.crawl_job): a crawl
in a child process against a local replica, then detection and delivery into a Maildir. Every
tenth cycle the replica's feed gains an entry, so the store, detector and outbox do real work.
The service process's RSS is sampled from /proc/self/status; the children's memory is theirs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.replica import SiteServer  # noqa: E402
from monitor.service import crawl_job, setup_logging  # noqa: E402

ENTRY = """<item><title>Meldung {n}: Netzwerk {n} neu im Programm</title><link>{{{{BASE}}}}/p/{n}.html</link>
<guid>{{{{BASE}}}}/p/{n}.html</guid><pubDate>Mon, 0{d} Jun 2020 10:00:00 +0200</pubDate>
<description>Das Netzwerk Nummer {n} aus Region {n} ist neues Mitglied im Programm „go-cluster“. Es verbindet
{n} Unternehmen mit Hochschulen, Instituten und Kammern und plant Projekte zur Digitalisierung,
zur Kreislaufwirtschaft und zur Fachkräftesicherung in der Region {n}.</description></item>"""


def rss(n: int) -> str:
    items = "".join(ENTRY.format(n=i, d=i % 9 + 1) for i in range(n))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>'
            f"<link>{{{{BASE}}}}/</link><description>b</description>{items}</channel></rss>")


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cycles", type=int, default=500)
    args = parser.parse_args()
    setup_logging("text", level=40)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        root.mkdir()
        (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
        (root / "feed.xml").write_text(rss(1))
        server = SiteServer(root).start()
        config = Path(tmp) / "cw.toml"
        config.write_text(f"""database = "data.db"
[crawler]
download_delay = 0
autothrottle = false
retries = 0
allow_private_addresses = true
[[sources]]
name = "bench"
kind = "feed"
url = "{server.url}/feed.xml"
full_text = false
[email]
maildir = "mail"
[[subscribers]]
email = "analyst@example.org"
events = ["milestone", "new_member"]
""")
        samples = []
        start = time.monotonic()
        for cycle in range(1, args.cycles + 1):
            if cycle % 10 == 0:
                (root / "feed.xml").write_text(rss(cycle // 10 + 1))
            crawl_job(str(config), str(Path(tmp) / "data.db"), "bench")
            server.reset_log()  # the replica's request log lives in this process; it is not the service's
            if cycle in (1, 10) or cycle % 50 == 0:
                samples.append((cycle, rss_kb()))
                print(f"cycle {cycle:>4}: service RSS {samples[-1][1] / 1024:6.1f} MiB "
                      f"({time.monotonic() - start:6.0f} s)", flush=True)
        server.stop()
    first = next(kb for c, kb in samples if c >= 10)
    last = samples[-1][1]
    print(f"\nRSS after 10 cycles: {first / 1024:.1f} MiB; after {args.cycles}: {last / 1024:.1f} MiB; "
          f"growth {(last - first) / 1024:+.1f} MiB over {args.cycles - 10} cycles "
          f"({(last - first) / max(args.cycles - 10, 1):+.2f} KiB per cycle)")


if __name__ == "__main__":
    main()
