from __future__ import annotations

import pytest

from pao.core.yamlio import (
    MAX_FILE_BYTES,
    Position,
    YamlLoadError,
    load_yaml,
)


class TestYaml12Meaning:
    @pytest.mark.parametrize("text", ["no", "NO", "on", "off", "yes", "y", "Off"])
    def test_norway_words_stay_strings(self, text: str) -> None:
        """Only true/false are booleans in YAML 1.2."""
        assert load_yaml(f"v: {text}\n").data == {"v": text}

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("true", True),
            ("False", False),
            ("~", None),
            ("null", None),
            ("12", 12),
            ("0o17", 15),
            ("0x1f", 31),
            ("1.5", 1.5),
            ("1e3", 1000.0),
            ("2024-01-31", "2024-01-31"),
            ("012", 12),
            ("'12'", "12"),
        ],
    )
    def test_core_schema_scalars(self, text: str, value: object) -> None:
        assert load_yaml(f"v: {text}\n").data == {"v": value}


class TestPositions:
    def test_keys_and_values_are_located(self) -> None:
        document = load_yaml("a:\n  b: 1\n  c:\n    - x\n    - y\n")

        assert document.source_map.key(("a", "b")) == Position(2, 3)
        assert document.source_map.value(("a", "b")) == Position(2, 6)
        assert document.source_map.value(("a", "c", 1)) == Position(5, 7)

    def test_missing_path_falls_back_to_nearest_parent(self) -> None:
        document = load_yaml("a:\n  b: 1\n")

        assert document.source_map.value(("a", "zzz", 3)) == Position(2, 3)


class TestRefusals:
    def test_duplicate_key_names_both_lines(self) -> None:
        with pytest.raises(YamlLoadError) as info:
            load_yaml("a: 1\nb: 2\na: 3\n")

        assert str(info.value) == "3:1: duplicate key 'a' (first defined at line 1)"

    def test_alias_bomb_is_refused(self) -> None:
        lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
        for name, prev in zip("bcdefgh", "abcdefg", strict=True):
            lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")

        with pytest.raises(YamlLoadError, match="aliases"):
            load_yaml("\n".join(lines))

    def test_recursive_alias_is_refused(self) -> None:
        with pytest.raises(YamlLoadError, match="recursive alias"):
            load_yaml("a: &a [*a]\n")

    def test_python_tags_are_refused(self) -> None:
        with pytest.raises(YamlLoadError, match="unsupported tag"):
            load_yaml("a: !!python/object/apply:os.system [ls]\n")

    def test_oversized_file_is_refused(self) -> None:
        with pytest.raises(YamlLoadError, match="over the limit"):
            load_yaml(b"a: " + b"x" * MAX_FILE_BYTES)

    def test_invalid_utf8_is_located(self) -> None:
        with pytest.raises(YamlLoadError) as info:
            load_yaml(b"a: 1\nb: \xff\n")

        assert info.value.position == Position(2, 4)

    def test_syntax_error_is_located(self) -> None:
        with pytest.raises(YamlLoadError) as info:
            load_yaml("a: [1, 2\nb: 3\n")

        assert info.value.position.line == 2

    def test_huge_integer_is_refused(self) -> None:
        with pytest.raises(YamlLoadError, match="integer too large"):
            load_yaml("a: " + "9" * 5000)

    def test_deep_nesting_is_refused(self) -> None:
        with pytest.raises(YamlLoadError, match="nesting"):
            load_yaml("[" * 500 + "]" * 500)
