/** Request counts and latency histograms by route, rendered in the Prometheus text format. */
const BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

/** What is kept per method and route: its escaped labels, requests by status, latency. */
interface RouteSeries {
  labels: string;
  byStatus: Map<number, number>;
  latency: Histogram;
}

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export class RequestMetrics {
  /** By `${method} ${route}`: labels are escaped once per series, not on every request. */
  private readonly series = new Map<string, RouteSeries>();

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route}`;
    let series = this.series.get(key);
    if (!series) {
      series = {
        labels: `method="${method}",route="${escapeLabel(route)}"`,
        byStatus: new Map(),
        latency: { counts: BUCKETS_SECONDS.map(() => 0), sum: 0, count: 0 },
      };
      this.series.set(key, series);
    }
    series.byStatus.set(status, (series.byStatus.get(status) ?? 0) + 1);
    const hist = series.latency;
    for (let i = 0; i < BUCKETS_SECONDS.length; i++) {
      if (seconds <= (BUCKETS_SECONDS[i] as number)) hist.counts[i] = (hist.counts[i] ?? 0) + 1;
    }
    hist.sum += seconds;
    hist.count += 1;
  }

  render(): string {
    const lines = [
      "# HELP lattice_http_requests_total HTTP requests by route and status.",
      "# TYPE lattice_http_requests_total counter",
    ];
    for (const { labels, byStatus } of this.series.values()) {
      for (const [status, value] of byStatus)
        lines.push(`lattice_http_requests_total{${labels},status="${status}"} ${value}`);
    }
    lines.push(
      "# HELP lattice_http_request_duration_seconds HTTP request latency by route.",
      "# TYPE lattice_http_request_duration_seconds histogram",
    );
    for (const { labels, latency: hist } of this.series.values()) {
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
