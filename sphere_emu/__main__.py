import gc

# Start-up (imports, building the machine) allocates much and frees little: the collector
# would spend a tenth of it walking live objects. ``cli.run`` turns it back on to run.
gc.disable()

from .cli import entry_point  # noqa: E402 - after the collector is off

entry_point()
