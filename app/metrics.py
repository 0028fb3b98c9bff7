"""What the service exposes to Prometheus, one registry per app.

Requests and their latency by route template and status, requests in flight, the graph's size
and load time. Other parts of the service add theirs through ``ServiceMetrics.add_stats`` (the
``stats()`` dicts of the heavy-work pools and the caches, read at scrape time), ``add_gauge``
(one value read at scrape time) or ``register`` (any prometheus-client collector).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

__all__ = ["CONTENT_TYPE", "ServiceMetrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Fast lookups answer in well under a millisecond; analysis may take seconds.
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class _CallbackGauge(Collector):
    def __init__(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        self.name, self.documentation, self.read = name, documentation, read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(self.name, self.documentation, value=self.read())


class RequestStats(Collector):
    """Requests, their latency and those in flight, counted in plain dicts and turned into metrics when scraped.

    prometheus-client's own Counter and Histogram take a lock and walk their buckets on every
    observation: on a route answering in 50 us that was a measurable share of the throughput.
    Every observation here happens on the event loop's thread, so no lock is needed.
    """

    def __init__(self) -> None:
        self.in_flight = 0
        # (method, route, status): [count, sum of seconds, count per bucket...]
        self.series: dict[tuple[str, str, int], list[float]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        if (series := self.series.get(key)) is None:
            series = self.series[key] = [0.0] * (2 + len(_LATENCY_BUCKETS) + 1)
        series[0] += 1
        series[1] += seconds
        series[2 + bisect_left(_LATENCY_BUCKETS, seconds)] += 1

    def collect(self) -> Iterator[Metric]:
        labels = ["method", "route", "status"]
        requests = CounterMetricFamily(
            "kg_http_requests", "HTTP requests answered, by route template and status.", labels=labels
        )
        latency = HistogramMetricFamily(
            "kg_http_request_duration_seconds", "Time to answer, by route template and status.", labels=labels
        )
        for (method, route, status), series in list(self.series.items()):
            values = [method, route, str(status)]
            requests.add_metric(values, series[0])
            cumulative, buckets = 0.0, []
            for bound, count in zip([*map(str, _LATENCY_BUCKETS), "+Inf"], series[2:], strict=True):
                cumulative += count
                buckets.append((bound, cumulative))
            latency.add_metric(values, buckets, series[1])
        yield requests
        yield latency
        yield GaugeMetricFamily("kg_http_requests_in_flight", "Requests being answered.", value=self.in_flight)


Stats = Mapping[str, Mapping[str, float]]  # {"analysis": {"hits": 3, ...}, "search": {...}}


class StatsCollector(Collector):
    """Metrics read at scrape time from ``stats()`` dicts of several named parts (pools, caches).

    ``kg_cache`` and ``{"analysis": {"hits": 3, "bytes": 10}}`` give ``kg_cache_hits_total{cache="analysis"} 3``
    (a name in ``counters``) and ``kg_cache_bytes{cache="analysis"} 10``; with ``hits`` and ``misses``,
    ``kg_cache_hit_ratio`` too.
    """

    def __init__(self, prefix: str, label: str, read: Callable[[], Stats], counters: frozenset[str]) -> None:
        self.prefix, self.label, self.read, self.counters = prefix, label, read, counters

    def collect(self) -> Iterator[Metric]:
        families: dict[str, Metric] = {}
        for part, stats in self.read().items():
            if "hits" in stats and "misses" in stats:
                looked_up = stats["hits"] + stats["misses"]
                stats = {**stats, "hit_ratio": stats["hits"] / looked_up if looked_up else 0}
            for key, value in stats.items():
                if (family := families.get(key)) is None:
                    kind = CounterMetricFamily if key in self.counters else GaugeMetricFamily
                    family = families[key] = kind(
                        f"{self.prefix}_{key}", f"{key.replace('_', ' ')} by {self.label}", labels=[self.label]
                    )
                family.add_metric([part], value)  # type: ignore[attr-defined]
        yield from families.values()


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = RequestStats()
        self.registry.register(self.requests)
        self.entities = Gauge("kg_graph_entities", "Entities in the served snapshot.", registry=self.registry)
        self.relations = Gauge("kg_graph_relations", "Relations in the served snapshot.", registry=self.registry)
        self.load_seconds = Gauge(
            "kg_graph_load_seconds", "Time taken to load and index the snapshot.", registry=self.registry
        )

    def graph_loaded(self, *, entities: int, relations: int, seconds: float) -> None:
        self.entities.set(entities)
        self.relations.set(relations)
        self.load_seconds.set(seconds)

    def add_gauge(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        """A gauge whose value ``read()`` gives when Prometheus scrapes (a cache size, a hit rate...)."""
        self.registry.register(_CallbackGauge(name, documentation, read))

    def add_stats(self, prefix: str, label: str, read: Callable[[], Stats], *, counters: Iterable[str] = ()) -> None:
        """Metrics from the ``stats()`` dicts of named parts (see ``StatsCollector``)."""
        self.registry.register(StatsCollector(prefix, label, read, frozenset(counters)))

    def register(self, collector: Collector) -> None:
        self.registry.register(collector)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
