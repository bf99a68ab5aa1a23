#!/usr/bin/env python3
"""Prints a bench.py result as the Markdown tables of docs/performance.md."""
import json
import sys


def fmt(v, spec):
    return "–" if v is None else format(v, spec)


def main():
    with open(sys.argv[1]) as f:
        r = json.load(f)
    loads = list(next(iter(r["servers"].values()))["loads"])
    for load in loads:
        print(f"\n**{load}** (medians of {r['rounds']} rounds of {r['seconds']} s)\n")
        print("| server | req/s | × nginx | p50 ms | p99 ms | p99 × nginx | CPU µs/req | CPU × nginx | errors |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, s in r["servers"].items():
            v = s["loads"][load]
            print(f"| {name} | {fmt(v['rps'], ',.0f')} | {fmt(v['rps_vs_nginx'], '.2f')} | {fmt(v['p50_ms'], '.2f')} "
                  f"| {fmt(v['p99_ms'], '.2f')} | {fmt(v['p99_vs_nginx'], '.2f')} | {fmt(v['cpu_us_per_request'], '.1f')} "
                  f"| {fmt(v['cpu_vs_nginx'], '.2f')} | {v['errors']} |")
    print("\n| server | exec to first 200 (ms) | idle worker PSS (KiB) |")
    print("| --- | ---: | ---: |")
    for name, s in r["servers"].items():
        print(f"| {name} | {fmt(s['exec_to_first_200_ms'], '.1f')} | {fmt(s['idle_worker_pss_kib'], '.0f')} |")
    idle = r.get("idle_async_10k")
    if idle:
        burst = idle.get("worker_rss_after_burst_kib", idle.get("worker_rss_after_kib"))
        settled = idle.get("worker_rss_idle_kib", burst)
        print(f"\n10,000 idle keep-alive connections on one `async` worker: RSS {idle['worker_rss_before_kib']} → "
              f"{burst} KiB right after the burst → {settled} KiB once idle (+{idle['growth_kib'] / 1024:.1f} MiB, "
              f"{idle['bytes_per_connection']:.0f} bytes per connection).")


if __name__ == "__main__":
    main()
