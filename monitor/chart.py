"""The membership chart: member numbers over time with the milestones marked (matplotlib, PNG)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any


def timeline_png(programme: str, points: list[dict[str, Any]], *, width: float = 6.0, height: float = 2.6) -> bytes:
    import matplotlib

    matplotlib.use("Agg")  # no display: the chart goes into a file or an email
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    dated = [(date.fromisoformat(p["date"][:10]), p["number"], p.get("milestone")) for p in points
             if p.get("date") and len(p["date"]) >= 10]
    fig, ax = plt.subplots(figsize=(width, height), dpi=100)
    try:
        if dated:
            xs, ys, marks = zip(*sorted(dated), strict=True)
            ax.step(xs, ys, where="post", color="#1f5f99", linewidth=1.8)
            ax.plot(xs, ys, "o", color="#1f5f99", markersize=3)
            for x, y, milestone in zip(xs, ys, marks, strict=True):
                if milestone:
                    ax.plot([x], [y], marker="*", color="#d9822b", markersize=13, zorder=3)
                    ax.annotate(f"{y}", (x, y), textcoords="offset points", xytext=(0, 8), ha="center",
                                fontsize=8, color="#8a4b0f")
            locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
            ax.set_ylim(bottom=0, top=max(ys) * 1.2)
        else:
            ax.text(0.5, 0.5, "keine datierten Mitgliederzahlen", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(f"{programme}: Mitglieder", fontsize=10, loc="left")
        ax.grid(axis="y", alpha=0.3)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)
