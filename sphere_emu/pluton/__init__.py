"""The Pluton security processor, modeled by behaviour (not by emulating its M4).

``core.Pluton`` holds the device's keys, measurements and RNG and offers its services to
Python; ``mailbox.PlutonMailbox`` is the register interface the A7 Secure World uses;
``rom`` is what Pluton's boot ROM does before any core runs. Import the submodules: this
package stays cheap to import because the machine imports the mailbox on every run.
"""
