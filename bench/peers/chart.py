"""peers.json -> a PNG of four panels (records/s, CPU s per 1M records, peak RSS, p99 latency at
the paced rate), one bar per system; run with the Spark venv's python (matplotlib, pinned in
spark/requirements.txt) by scripts/bench-peers."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

r = json.load(open(sys.argv[1]))
s, st = r["summary"], r["settings"]
systems = st["systems"]
labels = {"rdstream": "rdstream", "spark": "Spark 3.5", "bento": "Bento 1.19"}
colors = {"rdstream": "#2a7ab0", "spark": "#e07b39", "bento": "#5a9e4b"}
panels = [("records_per_s", "records/s (bulk, higher is better)", False),
          ("cpu_s_per_1m_records", "CPU s per 1M records (lower is better; log)", True),
          ("peak_rss_mib", "peak RSS, MiB (lower is better; log)", True),
          ("p99_ms", f"p99 latency at {st['paced_rate_per_s']:,.0f}/s, ms (lower is better; log)", True)]
fig, axes = plt.subplots(1, 4, figsize=(16, 4.2))
for ax, (key, title, log) in zip(axes, panels):
    vals = [s[x][key] or 0 for x in systems]
    bars = ax.bar([labels[x] for x in systems], vals, color=[colors[x] for x in systems])
    if key == "records_per_s":
        c = r["ceiling_inserts_per_s"][r["best_client"]]
        ax.axhline(c, color="grey", linestyle="--", linewidth=1)
        ax.text(-0.4, c, "best Java driver client", va="bottom", fontsize=8, color="grey")
    for b, v in zip(bars, vals):
        ax.text(b.get_x() + b.get_width() / 2, v, f"{v:,.0f}" if v >= 10 else f"{v:.1f}", ha="center", va="bottom", fontsize=9)
    if log:
        ax.set_yscale("log")
    ax.set_title(title, fontsize=10)
    ax.margins(y=0.15)
fig.suptitle(f"Kafka -> Cassandra, {st['records']:,} records, {r['machine']['nproc']} cores, {r['date'][:10]} "
             f"(median of {st['repetitions']} runs)", fontsize=11)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=110)
