"""CPU core models: Cortex-M4F IO cores and the Cortex-A7."""
