"""``python -m cer_core``: the command line (:mod:`cer_core.cli`).

A command is a short-lived process that imports about a thousand modules (pandas, pvlib, SciPy,
holidays), whose objects live until it ends. Python's full garbage collections walk all of them and
find nothing to free, about 0.04 s of a demo ``simulate``; so a full collection comes ten times less
often here (the third threshold 10 → 100; the young generations are collected as usual). The studio
and the tests keep Python's defaults.
"""

import gc

_young, _middle, _ = gc.get_threshold()
gc.set_threshold(_young, _middle, 100)

from .cli import leave, main  # noqa: E402 - after the collector is set, so the imports benefit

leave(main())
