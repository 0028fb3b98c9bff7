"""What the service exposes to Prometheus, one registry per app.

Requests and their latency by route template and status, requests in flight, the graph's size
and load time. Other parts of the service add theirs through ``ServiceMetrics.add_gauge`` (a
value read at scrape time, e.g. a cache's size or hit rate, heavy computations running) or
``ServiceMetrics.register`` (any prometheus-client collector).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
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


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("kg_http_requests", "HTTP requests answered, by route template and status.",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("kg_http_request_duration_seconds", "Time to answer, by route template and status.",
                                 ["method", "route", "status"], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.in_flight = Gauge("kg_http_requests_in_flight", "Requests being answered.", registry=self.registry)
        self.entities = Gauge("kg_graph_entities", "Entities in the served snapshot.", registry=self.registry)
        self.relations = Gauge("kg_graph_relations", "Relations in the served snapshot.", registry=self.registry)
        self.load_seconds = Gauge("kg_graph_load_seconds", "Time taken to load and index the snapshot.",
                                  registry=self.registry)
        # Label lookups cost more than the observation; one pair of children per (method, route, status).
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        if (children := self._children.get(key)) is None:
            labels = (method, route, str(status))
            children = self._children[key] = (self.requests.labels(*labels), self.latency.labels(*labels))
        children[0].inc()
        children[1].observe(seconds)

    def graph_loaded(self, *, entities: int, relations: int, seconds: float) -> None:
        self.entities.set(entities)
        self.relations.set(relations)
        self.load_seconds.set(seconds)

    def add_gauge(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        """A gauge whose value ``read()`` gives when Prometheus scrapes (a cache size, a hit rate...)."""
        self.registry.register(_CallbackGauge(name, documentation, read))

    def register(self, collector: Collector) -> None:
        self.registry.register(collector)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
