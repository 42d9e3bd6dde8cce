"""The index of observation keys that finds duplicates in a streamed file."""

from __future__ import annotations

from array import array

_DIGEST = 16


class KeyIndex:
    """Remember the first row of every key digest, in two flat arrays.

    A dict of 16-byte digests to row numbers costs about 160 bytes a key in CPython (a bytes
    object, an int object and the dict's slot); a million-row file would hold 160 MB for it.
    Here digests and rows sit in a bytearray and an array (open addressing, linear probing,
    at most 60% full), about 50 bytes a key, no Python object per key. This is written by hand
    because the standard library has no compact hash set and the stats library should not pull
    in a dependency for twenty lines.

    Digests are 16 bytes of BLAKE2b, so two different keys share one with a probability of
    about n² / 2¹²⁹: never, in practice.

    Examples
    --------
    >>> index = KeyIndex()
    >>> index.first_row(b"a" * 16, 2), index.first_row(b"b" * 16, 3), index.first_row(b"a" * 16, 9)
    (2, 3, 2)
    >>> len(index)
    2
    """

    def __init__(self, *, capacity: int = 1 << 12) -> None:
        if capacity & (capacity - 1) or capacity < 2:
            raise ValueError("capacity must be a power of two")
        self._capacity = capacity
        self._size = 0
        self._digests = bytearray(_DIGEST * capacity)
        self._rows = array("Q", bytes(8 * capacity))  # 0 marks an empty slot: rows start at 1

    def __len__(self) -> int:
        return self._size

    def first_row(self, digest: bytes, row: int) -> int:
        """Return the row first recorded for ``digest``, recording ``row`` if there is none.

        ``row`` must be 1 or more; ``digest`` 16 bytes.
        """
        mask = self._capacity - 1
        slot = int.from_bytes(digest[:8], "little") & mask
        rows = self._rows
        digests = self._digests
        while True:
            found = rows[slot]
            if found == 0:
                rows[slot] = row
                digests[slot * _DIGEST : (slot + 1) * _DIGEST] = digest
                self._size += 1
                if self._size * 5 > self._capacity * 3:
                    self._grow()
                return row
            if digests[slot * _DIGEST : (slot + 1) * _DIGEST] == digest:
                return found
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        old_rows, old_digests = self._rows, self._digests
        self._capacity *= 2
        self._size = 0
        self._digests = bytearray(_DIGEST * self._capacity)
        self._rows = array("Q", bytes(8 * self._capacity))
        for slot, row in enumerate(old_rows):
            if row:
                self.first_row(bytes(old_digests[slot * _DIGEST : (slot + 1) * _DIGEST]), row)
