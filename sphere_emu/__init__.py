"""sphere-emu: a full-system emulator of the Azure Sphere MT3620."""

__version__ = "0.1.0"
