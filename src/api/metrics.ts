/** Request counts and latency histograms by route, rendered in the Prometheus text format. */
const BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export class RequestMetrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();

  observe(method: string, route: string, status: number, seconds: number): void {
    const countKey = `method="${method}",route="${escapeLabel(route)}",status="${status}"`;
    this.requests.set(countKey, (this.requests.get(countKey) ?? 0) + 1);
    const histKey = `method="${method}",route="${escapeLabel(route)}"`;
    let hist = this.latency.get(histKey);
    if (!hist) {
      hist = { counts: BUCKETS_SECONDS.map(() => 0), sum: 0, count: 0 };
      this.latency.set(histKey, hist);
    }
    BUCKETS_SECONDS.forEach((bound, i) => {
      if (seconds <= bound) hist.counts[i] = (hist.counts[i] ?? 0) + 1;
    });
    hist.sum += seconds;
    hist.count += 1;
  }

  render(): string {
    const lines = [
      "# HELP lattice_http_requests_total HTTP requests by route and status.",
      "# TYPE lattice_http_requests_total counter",
    ];
    for (const [labels, value] of this.requests)
      lines.push(`lattice_http_requests_total{${labels}} ${value}`);
    lines.push(
      "# HELP lattice_http_request_duration_seconds HTTP request latency by route.",
      "# TYPE lattice_http_request_duration_seconds histogram",
    );
    for (const [labels, hist] of this.latency) {
      BUCKETS_SECONDS.forEach((bound, i) => {
        lines.push(`lattice_http_request_duration_seconds_bucket{${labels},le="${bound}"} ${hist.counts[i]}`);
      });
      lines.push(`lattice_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${hist.count}`);
      lines.push(`lattice_http_request_duration_seconds_sum{${labels}} ${hist.sum}`);
      lines.push(`lattice_http_request_duration_seconds_count{${labels}} ${hist.count}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
