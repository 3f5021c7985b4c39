"""Limits on what one request may make the core read or compute (a shared server's memory).

Every limit here is documented, with what the user sees when reaching it, in ``docs/limits.md``;
``benchmarks/bench_limits.py`` measures the peak memory of each refusal.
"""

from __future__ import annotations

_MB = 1024 * 1024

#: Largest scenario file or ``.zip`` bundle accepted, as stored [bytes] (checked before reading it).
MAX_BUNDLE_BYTES = 500 * _MB
#: Largest unpacked content of a bundle, ``scenario.json`` included [bytes].
MAX_BUNDLE_UNPACKED_BYTES = 500 * _MB
#: Most entries in a bundle (the demo has a dozen; a 1,000-member community a thousand files).
MAX_BUNDLE_ENTRIES = 5_000
#: Largest scenario JSON document [bytes] (a 1,000-member community with bills is ≈ 1 MB).
MAX_SCENARIO_JSON_BYTES = 20 * _MB
#: Deepest nesting of arrays/objects in a scenario JSON (the schema needs 6; GeoJSON areas 8).
MAX_JSON_DEPTH = 64
#: Largest file a scenario refers to (meter export, bills, production, prices) [bytes]: the same as
#: one upload (:data:`cer_core.io.source.MAX_UPLOAD_BYTES`).
MAX_REFERENCED_FILE_BYTES = 50 * _MB
#: Most columns of a generic long table (a date/time, kWh, a POD: a few); each is classified from its first rows,
#: ≈ 0.5 ms apiece, so a 1 MB header line of "1;1;1;…" would cost a minute.
MAX_GENERIC_COLUMNS = 1_000
#: Largest scenario hourly CSV (``timestamp,kwh``) [bytes]: a year is 8,784 rows of ≈ 40 bytes (≈ 0.4 MB).
MAX_HOURLY_CSV_BYTES = 4 * _MB
#: Largest hourly energy value in a scenario's hourly CSV [kWh per hour] (1 GW for one hour: beyond any CER).
MAX_HOURLY_KWH = 1_000_000.0
#: Largest absolute hourly price [€/MWh] (the Italian day-ahead market's cap is 4,000 €/MWh).
MAX_PRICE_EUR_MWH = 10_000.0
#: Most members in one community simulated per request (memory: see docs/limits.md).
MAX_MEMBERS = 1_000
#: Most plants in one community.
MAX_PLANTS = 1_000
