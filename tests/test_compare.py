from __future__ import annotations

from pytest_mpm_bench.compare import matches, run_checker


def test_exact_types() -> None:
    assert matches([0, 1], [0, 1], "exact")
    assert not matches(True, 1, "exact")
    assert not matches(1, True, "exact")
    assert not matches(2, 2.0, "exact")
    assert matches(2, 2.0, "exact", loose_numbers=True)
    assert matches(0.0, -0.0, "exact")
    assert not matches({"a": 1}, {"a": 1, "b": 2}, "exact")
    assert not matches("1", 1, "exact")


def test_loose_numbers_compare_as_the_doubles_the_language_holds() -> None:
    # JavaScript is given -9999999999999999 as the double -1e16 and can only answer that
    assert matches(-9999999999999999, -10**16, "exact", loose_numbers=True)
    assert not matches(-9999999999999999, -10**16, "exact")
    assert not matches(2**53, 2**53 + 2, "exact", loose_numbers=True)
    assert not matches(10**400, 10**400 + 1, "exact", loose_numbers=True)
    assert not matches(1, True, "exact", loose_numbers=True)


def test_unordered_and_tolerance() -> None:
    assert matches([[1, 2], [3]], [[3], [1, 2]], "unordered")
    assert not matches([[1, 2], [3]], [[3], [2, 1]], "unordered")
    assert matches([[1, 2], [3]], [[3], [2, 1]], "unordered_nested")
    assert matches(0.1 + 0.2, 0.3, {"float_tolerance": 1e-9})
    assert matches(2, 2.0000001, {"float_tolerance": 1e-6})
    assert not matches(0.3, 0.31, {"float_tolerance": 1e-6})


def test_checker_judges_data_and_survives_bad_data() -> None:
    source = "def check(args, actual):\n    return sorted(actual) == sorted(args[0])\n"
    assert run_checker(source, [[3, 1, 2]], [1, 2, 3]) == (True, None)
    ok, note = run_checker(source, [[3, 1, 2]], None)
    assert not ok and note and "TypeError" in note
