import pytest

from services.enrollment.enterprise.uscc import check_digit, uscc_error

VALID = ["91350100M000100Y43", "91110000600037341L", "91410300MA44RB1C4P"]


class TestUSCC:
    @pytest.mark.parametrize("uscc", VALID)
    def test_valid_codes_pass(self, uscc: str) -> None:
        assert uscc_error(uscc) is None

    def test_check_digit_is_computed_over_the_first_17(self) -> None:
        assert check_digit("91350100M000100Y4") == "3"

    @pytest.mark.parametrize(
        ("uscc", "reason"),
        [
            ("91350100M000100Y4", "must be 18 characters"),
            ("91350100M000100Y44", "check digit is 4, expected 3"),
            ("91350100M000I00Y43", "not allowed"),
            ("Z1350100M000100Y43", "not allowed"),
            ("X1350100M000100Y43", "registration authority"),
            ("913501A0M000100Y43", "administrative division"),
        ],
    )
    def test_invalid_codes_say_why(self, uscc: str, reason: str) -> None:
        error = uscc_error(uscc)
        assert error is not None and reason in error
