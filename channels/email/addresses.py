"""Address headers as (name, address) pairs: the everyday forms read without the stdlib's parser.

`email.utils.parseaddr` and `getaddresses` walk the header a character at a time, which costs
more than a tenth of parsing a mail. Almost every real header is `Name <local@domain>` or a bare
`local@domain`, for which their answer is plain to read off: those are matched here, and
anything else (quotes, comments, groups, routes, empty entries) goes to the stdlib as before.
"""

from __future__ import annotations

import re
from email.utils import getaddresses, parseaddr

# What the stdlib's address parser treats as one word of a name: no specials, no folding white
# space. In the address itself it also drops a dot-separated part that is only white space (any
# kind), so the address part here has none at all.
_WORD = r'[^()<>@,:;"\[\] \t\r\n]+'
_ADDRESS = r'[^()<>@,:;"\[\]\s]+@[^()<>@,:;"\[\]\s]+'
_FWS = r"[ \t\r\n]"
_SIMPLE = re.compile(
    rf"{_FWS}*(?:(?P<name>{_WORD}(?:{_FWS}+{_WORD})*)?{_FWS}*<(?P<routed>{_ADDRESS})>"
    rf"|(?P<bare>{_ADDRESS})){_FWS}*"
)
_WHITE_RUN = re.compile(rf"{_FWS}+")


def address_pair(value: str) -> tuple[str, str]:
    """The name and address of one address header, as `email.utils.parseaddr` gives them."""
    if not value:
        return "", ""  # a missing header (Reply-To, mostly), which parseaddr reads as nothing
    simple = _simple(value)
    return simple if simple is not None else parseaddr(value)


def address_pairs(values: list[str]) -> list[tuple[str, str]]:
    """Every (name, address) of the headers, as `email.utils.getaddresses` gives them."""
    pairs = []
    for value in values:
        for entry in str(value).split(","):
            simple = _simple(entry)
            if simple is None:
                return getaddresses(values)
            pairs.append(simple)
    return pairs


def _simple(value: str) -> tuple[str, str] | None:
    found = _SIMPLE.fullmatch(value)
    if found is None:
        return None
    if found["bare"] is not None:
        return "", found["bare"]
    # The stdlib joins the words of the name with one space, whatever ran between them.
    return _WHITE_RUN.sub(" ", found["name"] or ""), found["routed"]
