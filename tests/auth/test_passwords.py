import pytest

from auth.passwords import PasswordRejected, check_new_password, hash_password, verify_password


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1", "too_short"),
        ("x" * 129, "too_long"),
        ("password", "common"),
        ("Password1", "common"),
        ("woaini1314", "common"),
        ("aaaaaaaaaaaa", "common"),
        ("my13800000001pw", "like_login"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, code):
    with pytest.raises(PasswordRejected) as raised:
        check_new_password(password, login_names=("13800000001",))
    assert raised.value.code == code


def test_a_reasonable_password_is_accepted():
    check_new_password("Songjiang-Tea-2026", login_names=("13800000001",))


def test_hash_is_argon2_and_verifies_only_the_right_password():
    hashed = hash_password("Songjiang-Tea-2026")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "Songjiang-Tea-2026")
    assert not verify_password(hashed, "songjiang-tea-2026")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")
