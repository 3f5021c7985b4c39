"""Members' hourly loads: the value type (``series``), the pure algorithms (``bills``, ``profiles``) and the
scenario adapters (``member_load``); the bills file is read by :mod:`cer_core.io.bills`."""
