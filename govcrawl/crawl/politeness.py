"""Politeness and damage limits per host and per site: Retry-After, robots.txt Crawl-delay,
retry backoff and a per-site request budget.

The logic is in plain functions and small classes (unit-tested without Scrapy); the downloader
middleware at the end is the thin glue.

* ``Retry-After`` on a 429/503 holds the whole host until the moment it names (capped by
  ``GOVCRAWL_RETRY_AFTER_MAX``; a longer wait is not retried this run: the URL is recorded as
  blocked with the status).
* Retries wait ``GOVCRAWL_RETRY_BACKOFF_BASE * 2**(attempt-1)`` seconds (capped by
  ``GOVCRAWL_RETRY_BACKOFF_MAX``) before they are sent again; Scrapy's RetryMiddleware decides
  *whether* to retry (RETRY_TIMES, RETRY_HTTP_CODES), this decides *when*.
* robots.txt ``Crawl-delay`` for our User-Agent becomes the host's download-slot delay (without
  jitter, and AutoThrottle may raise it but never lower it below that floor), capped by
  ``GOVCRAWL_CRAWL_DELAY_MAX``.
* ``GOVCRAWL_SITE_PAGE_BUDGET`` requests at most per registry site and run (every request sent
  counts: retries, redirects, robots.txt). Further requests fail with ``PageBudgetExhausted``, so
  a calendar trap or a redirect maze ends with a recorded reason instead of running all night.

Requests that wait here do not hold one of the host's connection slots (the wait happens before
the request reaches the downloader slot), so a host on hold cannot block another host's slots.
"""
from __future__ import annotations

import email.utils
import logging
import time
from collections import Counter, defaultdict, deque
from urllib.parse import urljoin, urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest

from govcrawl.crawl.run import RunComponent

log = logging.getLogger(__name__)

__all__ = ["parse_retry_after", "backoff_delay", "redirect_loop", "HostGate", "HostLimiter",
           "PageBudget", "PageBudgetExhausted", "RedirectLoop", "PolitenessMiddleware"]


def parse_retry_after(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or an HTTP date); None if unusable."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(int(value))
    try:
        seconds = float(value)  # not RFC 9110, but seen in the wild: "1.5"
        return seconds if seconds >= 0 else None
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff before retry number ``attempt`` (1, 2, …): base, 2·base, 4·base …, capped."""
    if attempt <= 0 or base <= 0:
        return 0.0
    return min(cap, base * 2 ** (attempt - 1)) if cap > 0 else base * 2 ** (attempt - 1)


class HostGate:
    """Per-host 'not before' times: a host that asked us to wait gets no request until then."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.not_before: dict[str, float] = {}

    def hold(self, host: str, seconds: float) -> None:
        until = self.clock() + max(0.0, seconds)
        if until > self.not_before.get(host, 0.0):
            self.not_before[host] = until

    def wait(self, host: str) -> float:
        """Seconds a request to ``host`` must still wait (0 when the host is open)."""
        return max(0.0, self.not_before.get(host, 0.0) - self.clock())


class PageBudgetExhausted(IgnoreRequest):
    pass


class RedirectLoop(IgnoreRequest):
    pass


def redirect_loop(chain: list[str], location: str | bytes | None, base_url: str) -> str | None:
    """The URL a redirect points back to when it is already in this request's redirect chain.

    Scrapy's duplicate filter would drop such a redirect silently (a→b→a), leaving no reason.
    """
    if not location:
        return None
    if isinstance(location, bytes):
        location = location.decode("latin-1", "replace")
    target = urljoin(base_url, location.strip()).split("#", 1)[0]
    seen = {u.split("#", 1)[0] for u in chain}
    return target if target in seen else None


class HostLimiter:
    """At most ``limit`` requests per host in the downloader at once.

    Scrapy 2.19's downloader slot does not hold CONCURRENT_REQUESTS_PER_DOMAIN under the asyncio
    reactor when the slot has no delay: ``_process_queue`` hands out every queued request before
    the scheduled download tasks mark themselves as transferring. This keeps the promise anyway.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.active: dict[str, set] = defaultdict(set)
        self.waiting: dict[str, deque] = defaultdict(deque)

    def try_acquire(self, host: str, token) -> bool:
        if self.limit <= 0 or token in self.active[host]:
            return True
        if len(self.active[host]) < self.limit:
            self.active[host].add(token)
            return True
        return False

    def release(self, host: str, token):
        """Free the token's place; returns a waiter to wake (or None)."""
        if token not in self.active.get(host, ()):
            return None
        self.active[host].discard(token)
        return self.waiting[host].popleft() if self.waiting.get(host) else None


class PageBudget:
    """At most ``limit`` requests per site (0 = no limit); remembers which sites ran out."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()

    def charge(self, site_id: str) -> bool:
        if self.limit and self.used[site_id] >= self.limit:
            self.refused[site_id] += 1
            return False
        self.used[site_id] += 1
        return True

    @property
    def exhausted(self) -> list[str]:
        return sorted(self.refused)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class PolitenessMiddleware(RunComponent):
    """Downloader middleware (register after RetryMiddleware, e.g. at 560)."""

    def __init__(self, crawler):
        super().__init__(crawler)
        s = crawler.settings
        self.budget = PageBudget(s.getint("GOVCRAWL_SITE_PAGE_BUDGET", 0))
        self.gate = HostGate()
        self.backoff_base = s.getfloat("GOVCRAWL_RETRY_BACKOFF_BASE", 1.0)
        self.backoff_max = s.getfloat("GOVCRAWL_RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = s.getfloat("GOVCRAWL_RETRY_AFTER_MAX", 120.0)
        self.crawl_delay_max = s.getfloat("GOVCRAWL_CRAWL_DELAY_MAX", 60.0)
        self.honour_crawl_delay = s.getbool("GOVCRAWL_HONOUR_CRAWL_DELAY", True)
        self.user_agent = s.get("ROBOTSTXT_USER_AGENT") or s.get("USER_AGENT") or "*"
        self.crawl_delays: dict[str, float] = {}
        self.limiter = HostLimiter(s.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 0))
        self.max_retries = s.getint("RETRY_TIMES", 2)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self.request_left_downloader, signal=signals.request_left_downloader)
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)
        quiet_network_tracebacks()

    # --- the run's registry ------------------------------------------------------------------------
    def _site_id(self, request) -> str:
        site_id = request.meta.get("site_id")
        if site_id:
            return site_id
        return self.run.site_for_url(request.url) or "(unknown)"

    # --- Crawl-delay --------------------------------------------------------------------------------
    def robots_parsed(self, robotparser, request):
        if not self.honour_crawl_delay:
            return
        try:
            delay = robotparser.crawl_delay(self.user_agent)
        except Exception:  # a parser without crawl_delay support: nothing to honour
            delay = None
        if not delay or delay <= 0:
            return
        host = _host(request.url)
        delay = min(float(delay), self.crawl_delay_max)
        self.crawl_delays[host] = delay
        log.info("robots.txt of %s asks for Crawl-delay %.2fs", host, delay)
        downloader = getattr(self.crawler.engine, "downloader", None)
        if downloader is not None:
            downloader.per_slot_settings.setdefault(host, {}).update(delay=delay, jitter=0)
        self._enforce_floor(host)

    def _enforce_floor(self, host: str) -> None:
        floor = self.crawl_delays.get(host)
        downloader = getattr(self.crawler.engine, "downloader", None)
        if not floor or downloader is None:
            return
        slot = downloader.slots.get(host)
        if slot is not None:
            slot.jitter = 0
            if slot.delay < floor:
                slot.delay = floor

    # --- Retry-After, and the floor after AutoThrottle's adjustment ---------------------------------
    def response_downloaded(self, response, request, spider=None):
        host = _host(response.url)
        self._enforce_floor(host)
        if 300 <= response.status < 400 and not request.meta.get("dont_redirect"):
            loop = redirect_loop(request.meta.get("redirect_urls", []) + [request.url],
                                 response.headers.get("Location"), response.url)
            if loop:  # let it pass RedirectMiddleware; process_response turns it into a failure
                request.meta["dont_redirect"] = True
                request.meta["redirect_loop"] = loop
            return
        if response.status not in (429, 503):
            return
        seconds = parse_retry_after(response.headers.get("Retry-After"))
        if seconds is None:
            return
        if seconds > self.retry_after_max:
            # Too long to wait within this run: do not retry, the errback records the status.
            request.meta["dont_retry"] = True
            request.meta["retry_after_refused"] = seconds
            self.gate.hold(host, self.retry_after_max)
            log.info("%s asks us to wait %.0fs (over GOVCRAWL_RETRY_AFTER_MAX): giving up %s",
                     host, seconds, request.url)
            return
        self.gate.hold(host, seconds)
        log.info("%s answered %d with Retry-After %.1fs: holding the host", host, response.status, seconds)

    # --- budget and waiting -------------------------------------------------------------------------
    async def process_request(self, request, spider=None):
        host = _host(request.url)
        site_id = self._site_id(request)
        if not self.budget.charge(site_id):
            raise PageBudgetExhausted(
                f"page budget exhausted: {self.budget.limit} requests per site (GOVCRAWL_SITE_PAGE_BUDGET)")
        wait = backoff_delay(request.meta.get("retry_times", 0), self.backoff_base, self.backoff_max)
        wait = max(wait, self.gate.wait(host))
        if request.meta.get("retry_times"):  # a dead site must not look like a hung crawl
            log.info("[%s] %s: %s; retry %d of %d in %.1f s", site_id, request.url,
                     request.meta.get("last_failure", "failed"), request.meta["retry_times"],
                     self.max_retries, wait)
        while wait > 0:
            await _sleep(wait)
            wait = self.gate.wait(host)  # a 429 seen meanwhile extends the hold
        while not self.limiter.try_acquire(host, request):
            from twisted.internet.defer import Deferred

            from scrapy.utils.defer import maybe_deferred_to_future

            waiter = Deferred()
            self.limiter.waiting[host].append(waiter)
            await maybe_deferred_to_future(waiter)
        while (wait := self.gate.wait(host)) > 0:  # a hold that began while this one queued
            await _sleep(wait)
        self._enforce_floor(host)
        return None

    def _release(self, request) -> None:
        waiter = self.limiter.release(_host(request.url), request)
        if waiter is not None:
            waiter.callback(None)

    def request_left_downloader(self, request, spider=None):
        self._release(request)

    def process_exception(self, request, exception, spider=None):
        self._release(request)  # e.g. a later middleware refused it before it was downloaded
        # seen before RetryMiddleware copies the request: the retry's progress line names it
        request.meta["last_failure"] = network_reason(exception)
        return None

    def process_response(self, request, response, spider=None):
        self._release(request)
        if response.status >= 400:
            request.meta["last_failure"] = f"HTTP {response.status}"
        loop = request.meta.get("redirect_loop")
        if loop and 300 <= response.status < 400:
            chain = " -> ".join(request.meta.get("redirect_urls", []) + [request.url, loop])
            raise RedirectLoop(f"redirect loop: {chain}")
        return response


_NETWORK_WORDS = (
    ("refused", "connection refused"), ("timed out", "timed out"), ("timeout", "timed out"),
    ("took longer", "timed out"), ("dns", "DNS lookup failed"), ("resolve", "DNS lookup failed"),
    ("lost", "connection lost"), ("reset", "connection reset"), ("never received", "no response"),
)


def network_reason(exception: BaseException) -> str:
    """A download failure in a few words an operator reads at a glance (connection refused, …)."""
    text = f"{type(exception).__name__} {exception}".lower()
    for needle, words in _NETWORK_WORDS:
        if needle in text:
            return words
    return type(exception).__name__


class OneLineNetworkErrors(logging.Filter):
    """Scrapy logs a full traceback when robots.txt cannot be fetched (and for downloads without
    an errback); for a plain network failure — a dead site — one line says it all."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and _is_network_error(exc):
            record.msg = f"{record.getMessage()} ({network_reason(exc)})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def _is_network_error(exc: BaseException) -> bool:
    from twisted.internet import error as tx

    network = (tx.ConnectError, tx.ConnectionLost, tx.TimeoutError, tx.DNSLookupError, TimeoutError,
               ConnectionError)
    seen = exc
    while seen is not None:
        if isinstance(seen, network) or type(seen).__name__.startswith("Download"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def quiet_network_tracebacks() -> None:
    for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper", "scrapy.core.engine"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLineNetworkErrors) for f in logger.filters):
            logger.addFilter(OneLineNetworkErrors())


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor, task

    from scrapy.utils.defer import maybe_deferred_to_future

    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))
