"""Address headers read without the stdlib's parser give exactly what the stdlib gives."""

from __future__ import annotations

import random
from email.utils import getaddresses, parseaddr

import pytest

from channels.email.addresses import address_pair, address_pairs

HEADERS = [
    "Client 5 <client5@example.ru>",
    "=?utf-8?b?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <Ivan.Petrov@Example.RU>",
    "J. Smith <j.smith@example.org>",
    "Name\r\n <folded@example.org>",
    "<bare.brackets@example.org>",
    " plain@example.org ",
    "\"Petrov, Ivan\" <ivan@example.ru>",
    "ivan@example.ru (Ivan Petrov)",
    "undisclosed-recipients:;",
    "<@route.example:ivan@example.ru>",
    "<<<@@@>>>",
    "no address at all",
    "a\x0b@example.org",
    "a.\xa0.b@example.org",
    "",
]
# Every character the stdlib's address parser treats specially, and some it does not.
ALPHABET = list("ab.Z=?-_+'/\\!#%{}|~") + [
    "<", ">", "@", ",", ":", ";", '"', "(", ")", "[", "]", " ", "\t", "\r\n", "\n",
    "\x0b", "\xa0", "\x1c", "\u2003", "\x85", "й", "\udcff",
]


def random_header(rnd: random.Random) -> str:
    """An address-like header of random words, often in one of the everyday shapes."""
    def word(longest: int) -> str:
        return "".join(rnd.choice(ALPHABET) for _ in range(rnd.randrange(longest)))
    if rnd.random() < 0.5:
        return f"{word(6)}<{word(5)}@{word(5)}>{word(3)}"
    return f"{word(4)}@{word(4)}"


@pytest.mark.parametrize("header", HEADERS)
def test_one_address_header_reads_as_parseaddr_reads_it(header: str) -> None:
    assert address_pair(header) == parseaddr(header)


def test_everyday_shapes_are_read_without_the_stdlib(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("the stdlib's parser was used")
    monkeypatch.setattr("channels.email.addresses.parseaddr", refuse)
    monkeypatch.setattr("channels.email.addresses.getaddresses", refuse)

    assert address_pairs(["a@example.org, B <b@example.org>"]) == [
        ("", "a@example.org"), ("B", "b@example.org")]
    assert address_pair("Client 5  <client5@example.ru>") == ("Client 5", "client5@example.ru")
    assert address_pair(" plain@example.org") == ("", "plain@example.org")


def test_lists_of_address_headers_read_as_getaddresses_reads_them() -> None:
    for values in ([], [""], HEADERS[:3], ["a@example.org, B <b@example.org>"],
                   ["a@example.org,"], ["a@example.org", HEADERS[6]]):
        assert address_pairs(values) == getaddresses(values), values


def test_random_headers_read_as_the_stdlib_reads_them() -> None:
    rnd = random.Random(19)
    for _ in range(20_000):
        header = random_header(rnd)
        assert address_pair(header) == parseaddr(header), header
        values = [", ".join(random_header(rnd) for _ in range(rnd.randrange(1, 3)))]
        assert address_pairs(values) == getaddresses(values), values
