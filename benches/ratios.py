#!/usr/bin/env python3
"""Prints the ratios the README quotes, from criterion's estimates of the last `cargo bench`.

Usage: python3 benches/ratios.py [target/criterion]
Each figure is a ratio of two benchmarks of one run (mean time per iteration).
"""
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "target/criterion"


def mean_ns(group, function, parameter):
    path = os.path.join(root, group, function, parameter, "new", "estimates.json")
    try:
        with open(path) as f:
            return json.load(f)["mean"]["point_estimate"]
    except FileNotFoundError:
        return None


def row(label, numerator, denominator, target):
    a, b = mean_ns(*numerator), mean_ns(*denominator)
    if a is None or b is None:
        print(f"| {label} | not measured | {target} |")
    else:
        print(f"| {label} | {a / b:.2f} | {target} |")


print("| ratio (higher = first is faster, unless noted) | measured | target |")
print("|---|---|---|")
for size in ["10x60", "10x480"]:
    pipe = ("parse", "zoom_qos_pipeline", size)
    row(f"{size}: simd-json serde borrowed / pipeline", ("parse", "simd_json_serde_borrowed", size), pipe, ">= 1")
    row(f"{size}: sonic-rs borrowed / pipeline", ("parse", "sonic_rs_borrowed", size), pipe, ">= 1")
    row(f"{size}: pipeline / simd_json::to_tape (cost)", pipe, ("parse", "simd_json_to_tape", size), "<= 1.5")
    row(f"{size}: serde_json borrowed / pipeline", ("parse", "serde_json_borrowed", size), pipe, "-")
    row(f"{size}: naive (serde_json + String + str::parse) / pipeline", ("parse", "naive_owned_str_parse", size), pipe, ">= 4")
agg = "100x180"
row("report sequential / parse of the same meeting (cost)", ("aggregate", "report_sequential", agg), ("aggregate", "parse_same_meeting", agg), "<= 0.20")
row("report rayon / parse of the same meeting (cost)", ("aggregate", "report_rayon", agg), ("aggregate", "parse_same_meeting", agg), "-")
row("sort-everything baseline / report sequential", ("aggregate", "sort_everything_baseline", agg), ("aggregate", "report_sequential", agg), "-")
threads = sorted(d for d in os.listdir(os.path.join(root, "end_to_end", "threads")) if d.isdigit()) if os.path.isdir(os.path.join(root, "end_to_end", "threads")) else []
if threads:
    row(f"end to end: 1 thread / {threads[-1]} threads (speed-up)", ("end_to_end", "threads", "1"), ("end_to_end", "threads", threads[-1]), ">= 1.7")
for kind in ["bitrate", "millis", "loss", "frame_rate"]:
    row(f"units {kind}: str::parse / zoom-qos", ("units", "str_parse_f64", kind), ("units", "zoom_qos", kind), "-")
