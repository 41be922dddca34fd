"""Azure Sphere image packages: metadata, signatures, ASXipFS, app manifests.

Submodules are imported where they are used rather than here: the package formats pull in
``construct`` and ``cryptography``, which would add to the CLI's start-up time for no
reason.
"""
