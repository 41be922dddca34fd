"""The Pluton security processor, modeled by behaviour (not by emulating its M4).

``core.Pluton`` holds the device's keys, measurements and RNG and offers its services to
Python and serves the register interface the A7 Secure World uses (the platform block
``peripherals.pluton_mailbox``, attached by the machine assembler); ``rom`` is what Pluton's
boot ROM does before any core runs. Import the submodules: this package stays cheap.
"""
