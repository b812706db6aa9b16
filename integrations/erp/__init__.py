"""Outside sources of repair orders: the connector registry, ERP.aero, the shared HTTP client
(token-bucket rate limit, retries honouring Retry-After, a circuit) and the transformers."""
