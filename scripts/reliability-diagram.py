#!/usr/bin/env python3
"""Reliability diagram of the next-action probabilities, as an SVG, from `forecart eval --json`.

Usage: scripts/reliability-diagram.py EVAL.json OUT.svg [TITLE]
Plots, per confidence bin of the top action's probability (10 equal-width bins, the bins behind the
ECE), the accuracy against the mean confidence for the model and for the `transition` baseline of
the same run; the diagonal is perfect calibration, each point's area grows with its case count.
"""
import json
import math
import sys


def series(action):
    return [(b["confidence"], b["accuracy"], b["count"]) for b in action["reliability"] if b["count"] > 0]


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    report = json.load(open(sys.argv[1]))
    title = sys.argv[3] if len(sys.argv) > 3 else "Next-action reliability"
    model = report["model"]["action"]
    base = report["baselines"]["transition"]["action"]
    W, H, L, T, S = 460, 490, 60, 50, 360  # width, height, left, top, plot side
    total = sum(c for _, _, c in series(model)) or 1

    def xy(conf, acc):
        return L + conf * S, T + (1 - acc) * S

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="22" text-anchor="middle" font-size="14">{title}</text>',
           f'<rect x="{L}" y="{T}" width="{S}" height="{S}" fill="none" stroke="#888"/>']
    for k in range(11):
        v = k / 10
        x, y = xy(v, v)
        out.append(f'<line x1="{x}" y1="{T}" x2="{x}" y2="{T + S}" stroke="#eee"/>')
        out.append(f'<line x1="{L}" y1="{y}" x2="{L + S}" y2="{y}" stroke="#eee"/>')
        out.append(f'<text x="{x}" y="{T + S + 16}" text-anchor="middle">{v:.1f}</text>')
        out.append(f'<text x="{L - 6}" y="{y + 4}" text-anchor="end">{v:.1f}</text>')
    out.append(f'<line x1="{L}" y1="{T + S}" x2="{L + S}" y2="{T}" stroke="#aaa" stroke-dasharray="4 3"/>')
    out.append(f'<text x="{L + S / 2}" y="{T + S + 34}" text-anchor="middle">mean predicted probability of the top action</text>')
    out.append(f'<text x="16" y="{T + S / 2}" text-anchor="middle" transform="rotate(-90 16 {T + S / 2})">'
               'share of cases where it was the next action</text>')
    for name, action, color in (("transition baseline", base, "#e08a2c"), ("forecart", model, "#2c6fe0")):
        pts = series(action)
        path = " ".join(f"{'M' if i == 0 else 'L'}{xy(c, a)[0]:.1f},{xy(c, a)[1]:.1f}" for i, (c, a, _) in enumerate(pts))
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        for c, a, n in pts:
            x, y = xy(c, a)
            r = 2.5 + 9 * math.sqrt(n / total)
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{color}" fill-opacity="0.6">'
                       f'<title>{name}: {n} cases, confidence {c:.3f}, accuracy {a:.3f}</title></circle>')
    legend_y = T + S + 52
    for i, (name, action, color) in enumerate((("forecart", model, "#2c6fe0"), ("transition baseline", base, "#e08a2c"))):
        y = legend_y + i * 18  # one line each
        out.append(f'<circle cx="{L + 6}" cy="{y - 4}" r="5" fill="{color}"/>')
        out.append(f'<text x="{L + 16}" y="{y}">{name}: ECE {action["ece"]:.4f}, log-loss {action["log_loss"]:.4f}</text>')
    out.append("</svg>")
    open(sys.argv[2], "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
