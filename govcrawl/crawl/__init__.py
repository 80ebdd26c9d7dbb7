"""Stage 1, the crawl: Scrapy glue that discovers report pages and captures every response.

``runner`` starts a crawl; ``settings`` holds every default; ``discovery`` and ``platforms`` decide
which links are listings, reports and attachments; ``middlewares``, ``politeness`` and
``extensions`` keep the crawl in scope, polite and archived; ``run`` and ``summary`` are one crawl's
shared state and its report to the operator.
"""
