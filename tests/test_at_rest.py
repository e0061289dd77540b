import pytest

from storage.at_rest import AtRestSealer
from storage.errors import Unreadable
from storage.handles import account_handle
from storage.server_keys import ServerKeys

KEYS = ServerKeys.generate()


def test_a_sealed_value_opens_only_for_its_own_row_and_purpose() -> None:
    sealer = AtRestSealer(KEYS.at_rest_keys)
    sealed = sealer.seal_at_rest(b"my brother was taken", purpose="draft", row="a")
    assert b"brother" not in sealed
    assert sealer.open_at_rest(sealed, purpose="draft", row="a") == b"my brother was taken"
    with pytest.raises(Unreadable):
        sealer.open_at_rest(sealed, purpose="draft", row="b")
    with pytest.raises(Unreadable):
        sealer.open_at_rest(sealed, purpose="draft-file", row="a")


def test_every_failure_is_the_same_opaque_error() -> None:
    sealer = AtRestSealer(KEYS.at_rest_keys)
    sealed = sealer.seal_at_rest(b"x", purpose="draft", row="a")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    other_key = AtRestSealer(ServerKeys.generate().at_rest_keys)
    for broken, opener in [
        (tampered, sealer),
        (sealed[:10], sealer),
        (b"\x02" + sealed[1:], sealer),
        (sealed, other_key),
        (b"", sealer),
    ]:
        with pytest.raises(Unreadable) as caught:
            opener.open_at_rest(broken, purpose="draft", row="a")
        assert str(caught.value) == "sealed data cannot be opened"


def test_rotation_keeps_old_values_readable_and_seals_with_the_new_key() -> None:
    old = AtRestSealer(KEYS.at_rest_keys)
    sealed_before = old.seal_at_rest(b"before", purpose="draft", row="a")
    rotated_keys = KEYS.rotated()
    rotated = AtRestSealer(rotated_keys.at_rest_keys)
    assert rotated.open_at_rest(sealed_before, purpose="draft", row="a") == b"before"
    sealed_after = rotated.seal_at_rest(b"after", purpose="draft", row="a")
    with pytest.raises(Unreadable):
        old.open_at_rest(sealed_after, purpose="draft", row="a")
    assert rotated_keys.handle_key == KEYS.handle_key


def test_handles_are_stable_keyed_and_do_not_contain_the_id() -> None:
    handle = account_handle(KEYS.handle_key, 987654321)
    assert handle == account_handle(KEYS.handle_key, 987654321)
    assert handle != account_handle(KEYS.handle_key, 987654322)
    assert handle != account_handle(ServerKeys.generate().handle_key, 987654321)
    assert "987654321" not in handle
