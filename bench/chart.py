#!/usr/bin/env python3
"""Draws requests/s per server and load from a bench.py result with gnuplot (PNG)."""
import json
import os
import subprocess
import sys
import tempfile


def main():
    src, png = sys.argv[1], sys.argv[2]
    with open(src) as f:
        result = json.load(f)
    servers = list(result["servers"])
    loads = list(next(iter(result["servers"].values()))["loads"])
    with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as dat:
        for name in servers:
            row = [result["servers"][name]["loads"][l]["rps"] or 0 for l in loads]
            dat.write(name + " " + " ".join(f"{v:.0f}" for v in row) + "\n")
    plots = ", ".join(f"'{dat.name}' using {i + 2}:xtic(1) title '{l}'" for i, l in enumerate(loads))
    script = f"""
set terminal pngcairo size 1100,520 noenhanced font 'sans,10'
set output '{png}'
set title 'Hello, World! on 127.0.0.1 (server on CPU 0, wrk on CPU 1; medians of {result["rounds"]} rounds)'
set ylabel 'requests/s'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -25
set grid ytics
set key top center horizontal
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
plot {plots}
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    os.unlink(dat.name)
    print("wrote " + png)


if __name__ == "__main__":
    main()
