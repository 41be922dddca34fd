"""Checking a Pluton attestation quote on the host (what a relying party would do)."""

from construct import ConstructError, Container

from ..trust.keys import verify_signature
from .structs import QUOTE, SIGNATURE_SIZE


class QuoteError(Exception):
    """A quote that does not parse, is signed by someone else, or answers another nonce."""


def verify_quote(data: bytes, identity_public_key: bytes, nonce: bytes) -> Container:
    """The parsed quote, if ``identity_public_key`` (X||Y) signed it for ``nonce``."""
    try:
        quote = QUOTE.parse(data)
    except ConstructError:
        raise QuoteError("not a quote") from None
    if len(data) != QUOTE.sizeof():
        raise QuoteError("trailing bytes after the quote")
    if not verify_signature(b"\x04" + identity_public_key, quote.signature,
                            data[:-SIGNATURE_SIZE]):
        raise QuoteError("bad quote signature")
    if quote.nonce != nonce:
        raise QuoteError("the quote answers a different nonce")
    return quote
