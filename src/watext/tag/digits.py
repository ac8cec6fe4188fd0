"""Which tokenizer rules tell one ASCII digit from another (see :mod:`.chunks`).

spaCy's tokenizer decides with regular expressions (prefix, suffix, infix, ``token_match``,
``url_match``) and exact special-case strings. A pattern is *digit-blind* when every
element of its parse tree tests all ten ASCII digits alike: no digit literal, every
character class holds all of them or none, no back-reference. It then matches a string
and its copy with other digits at the same places, with the same spans. When only some
alternatives of a pattern are not (spaCy's URL pattern checks IP address ranges), each
such alternative is *widened* into a digit-blind pattern matching wherever it can
(:func:`_widened`); a string where the widened pattern finds nothing is one where the
alternative never matches, and there the pattern acts digit-blind.
"""

from __future__ import annotations

import re
from re import _compiler, _parser  # type: ignore[attr-defined]
from typing import Any

from spacy.language import Language
from spacy.tokenizer import Tokenizer

__all__ = ["DIGITS", "ZERO", "digit_keys"]

ZERO = str.maketrans("123456789", "000000000")
DIGITS = frozenset("0123456789")
_CLASS_OPS = {_parser.LITERAL, _parser.RANGE, _parser.CATEGORY, _parser.NEGATE}
_SEQ_OPS = {_parser.SUBPATTERN, _parser.BRANCH, _parser.MAX_REPEAT, _parser.MIN_REPEAT, _parser.ASSERT,
            _parser.ASSERT_NOT, _parser.ATOMIC_GROUP, _parser.POSSESSIVE_REPEAT}  # fmt: skip
_PLAIN_OPS = {_parser.ANY, _parser.AT}


def _category_has_digits(cat: Any) -> bool | None:
    """Whether a character category holds the ASCII digits (all of them or none)."""
    name = str(cat).replace("UNI_", "")
    return {"CATEGORY_DIGIT": True, "CATEGORY_NOT_DIGIT": False, "CATEGORY_WORD": True, "CATEGORY_NOT_WORD": False,
            "CATEGORY_SPACE": False, "CATEGORY_NOT_SPACE": True, "CATEGORY_LINEBREAK": False,
            "CATEGORY_NOT_LINEBREAK": True}.get(name)  # fmt: skip


def _blind_atom(op: Any, av: Any) -> bool:
    """Whether one element that holds no sub-pattern tests every ASCII digit alike."""
    if op in (_parser.LITERAL, _parser.NOT_LITERAL):
        return chr(av) not in DIGITS
    if op == _parser.IN:
        if any(o not in _CLASS_OPS for o, _ in av):
            return False
        member = [False] * 10
        for o, a in av:
            if o == _parser.LITERAL and chr(a) in DIGITS:
                member[a - 48] = True
            elif o == _parser.RANGE:
                member = [m or a[0] <= 48 + d <= a[1] for d, m in enumerate(member)]
            elif o == _parser.CATEGORY:
                has = _category_has_digits(a)
                if has is None:
                    return False
                member = [m or has for m in member]
        return all(member) or not any(member)
    if op == _parser.CATEGORY:
        return _category_has_digits(av) is not None
    return op in _PLAIN_OPS  # not back-references, nor anything unknown


def _widened(seq: Any, state: Any) -> Any | None:
    """A pattern matching wherever ``seq`` matches (a superset, digit-blind): each digit
    test made one for any digit, negative lookarounds dropped; None when that cannot be
    done (anchors, positive lookarounds, atomic groups, negated classes with digits)."""
    out: list[Any] = []
    for op, av in seq:
        if op == _parser.ASSERT_NOT:
            continue
        if op == _parser.BRANCH:
            alts = [_widened(alt, state) for alt in av[1]]
            if any(x is None for x in alts):
                return None
            out.append((op, (av[0], alts)))
        elif op == _parser.SUBPATTERN:
            sub = _widened(av[3], state)
            if sub is None:
                return None
            out.append((op, (*av[:3], sub)))
        elif op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT):
            sub = _widened(av[2], state)
            if sub is None:
                return None
            out.append((op, (av[0], av[1], sub)))
        elif op in (_parser.LITERAL, _parser.NOT_LITERAL) and chr(av) in DIGITS:
            out.append((_parser.IN, [(_parser.CATEGORY, _parser.CATEGORY_DIGIT)]
                        + ([(_parser.CATEGORY, _parser.CATEGORY_NOT_DIGIT)] if op == _parser.NOT_LITERAL else [])))
        elif op == _parser.IN and not _blind_atom(op, av):
            if any(o not in _CLASS_OPS or o == _parser.NEGATE for o, _ in av):
                return None
            out.append((op, [*av, (_parser.CATEGORY, _parser.CATEGORY_DIGIT)]))
        elif op in (_parser.LITERAL, _parser.NOT_LITERAL, _parser.IN, _parser.ANY, _parser.CATEGORY) and _blind_atom(op, av):
            out.append((op, av))
        else:
            return None
    return _parser.SubPattern(state, out)


def _guards(seq: Any, state: Any) -> list[Any] | None:
    """``[]`` when the parsed pattern ``seq`` tests every ASCII digit alike, so a string and
    its copy with other digits match at the same places with the same spans. Else, when
    only some alternatives tell digits apart: those alternatives widened (:func:`_widened`),
    which cannot match in a string where those alternatives never match (then the pattern
    acts as without them, digit-blind). ``None``: neither."""
    guards: list[Any] = []
    for op, av in seq:
        if op == _parser.BRANCH:
            for alt in av[1]:
                got = _guards(alt, state)
                if got is None:
                    wide = _widened(alt, state)
                    if wide is None or _guards(wide, state) != []:
                        return None
                    guards.append(wide)
                else:
                    guards += got
        elif op in _SEQ_OPS:
            got = _guards(av if op == _parser.ATOMIC_GROUP else av[-1], state)
            if got is None:
                return None
            guards += got
        elif not _blind_atom(op, av):
            return None
    return guards


def _blind_method(fn: Any) -> list[re.Pattern[str]] | None:
    """Guards (:func:`_guards`, compiled) of ``fn``, a search/match method of a compiled
    pattern (or ``None``); ``None``: it may tell digits apart."""
    if fn is None:
        return []
    pat = getattr(fn, "__self__", None)
    if not isinstance(pat, re.Pattern) or not isinstance(pat.pattern, str) or pat.flags & re.LOCALE:
        return None
    if getattr(fn, "__name__", None) not in ("search", "match", "fullmatch", "finditer"):
        return None
    try:
        tree = _parser.parse(pat.pattern, pat.flags)
        got = _guards(tree, tree.state)
        return None if got is None else [_compiler.compile(g, pat.flags) for g in got]
    except (re.error, RecursionError):
        return None


def digit_keys(nlp: Language) -> list[re.Pattern[str]] | None:
    """``[keys, *guards]`` when runs may be cut by their digit template: ``keys`` finds the
    special-case strings with an ASCII digit, a guard what may make a rule pattern tell
    digits apart (:func:`_guards`). ``None``: some tokenizer rule tells digits apart."""
    tok = nlp.tokenizer
    if type(tok) is not Tokenizer:
        return None
    guards: list[re.Pattern[str]] = []
    for name in ("prefix_search", "suffix_search", "infix_finditer", "token_match", "url_match"):
        got = _blind_method(getattr(tok, name, None))
        if got is None:
            return None
        guards += got
    keys = sorted((k for k in tok.rules or {} if not DIGITS.isdisjoint(k)), key=len, reverse=True)
    return [re.compile("|".join(map(re.escape, keys)) if keys else r"(?!)"), *guards]
