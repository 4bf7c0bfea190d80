"""Plot the soak's samples: server RSS over time, one panel per phase.

    python3 docs/reliability/plot.py docs/reliability rss.png

Reads every <phase>.jsonl (or .jsonl.gz) the soak wrote in the directory (see RELIABILITY.md).
Needs matplotlib; the soak itself also writes a dependency-free rss.svg.
"""
import gzip
import json
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PHASES = ["stdio-calls", "http-calls", "http-sessions", "inproc-sessions"]


def samples(directory, phase):
    for name, opener in [(f"{phase}.jsonl", open), (f"{phase}.jsonl.gz", gzip.open)]:
        path = directory / name
        if path.exists():
            with opener(path, "rt") as f:
                return [json.loads(line) for line in f if line.strip()]
    return []


def main():
    directory = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out = sys.argv[2] if len(sys.argv) > 2 else str(directory / "rss.png")
    found = [(p, s) for p in PHASES if (s := samples(directory, p))]
    fig, axes = plt.subplots(len(found), 1, figsize=(7, 1.9 * len(found)), squeeze=False)
    for ax, (phase, rows) in zip(axes[:, 0], found):
        t = [r["t"] for r in rows]
        servers = len(rows[-1]["maps"]) if isinstance(rows[-1]["maps"], list) else 1
        label = f"server RSS (sum of {servers})" if servers > 1 else "server RSS"
        if phase == "inproc-sessions":
            label = "RSS of the soak (both ends)"
        ax.plot(t, [r["server_rss_kb"] / 1024 for r in rows], label=label)
        if phase != "inproc-sessions":
            ax.plot(t, [r["client_rss_kb"] / 1024 for r in rows], label="soak (clients) RSS", alpha=0.6)
        unit = "calls" if phase.endswith("calls") else "sessions"
        ax.set_title(f"{phase}: {rows[-1][unit]:,} {unit} in {rows[-1]['t']:.0f} s", fontsize=9)
        ax.set_ylabel("MB", fontsize=8)
        ax.set_ylim(bottom=0)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, loc="lower right")
    axes[-1, 0].set_xlabel("seconds", fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=80)


if __name__ == "__main__":
    main()
