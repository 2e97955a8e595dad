"""The core: what every domain uses (requests, errors, database, settings, time, exports,
audiences, vocabularies, rate limits). It imports no domain at module level."""
