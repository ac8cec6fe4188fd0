"""Recognise the seven survey questions by meaning, in any language and numbering style.

    rec = question_recognizer()
    rec.match("Q1 – Meaning of welcome culture for your city")   # -> QuestionMatch(no=1, …)
    rec.match("Unter Willkommenskultur verstehen wir Offenheit.") # -> None (an answer)

How: every text is normalised (numbering such as ``1.``, ``1)``, ``Frage 1:``,
``Question 1 –``, ``Q1.``, ``Zu 1:``, ``Ad 1)``, ``Pytanie 1``, ``I.`` is split off and kept
as a hint) and classified by a multinomial logistic regression over "no question" and the
seven questions (:class:`QuestionRecognizer`), trained on

- the canonical question texts in eleven languages (``rules/questions.json``),
- question variants and non-question lines from survey answers by three writers
  (``rules/question_variants.jsonl``: headings, paraphrases, keyword headings, answers
  that reuse the questions' words, greetings, titles, other questions),
- key words per question (``rules/question_lexicon.json``) as features.

Its threshold was chosen by cross-validation on the variants. Nothing here knows a
particular city's answer; held-out headings by another writer measure it
(``corpus/questions/heldout.jsonl``, ``watext evaluate --suite``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from watext.cache import cached, file_key
from watext.errors import ConfigError
from watext.files import read_jsonl

__all__ = [
    "QuestionMatch", "QuestionRecognizer", "answer_after_question", "load_lexicon", "load_variants", "question_recognizer", "split_number",
]  # fmt: skip

RULES_DIR = Path(__file__).parent / "rules"
N_QUESTIONS = 7
#: Longest text considered as a question (longer passages: their first sentence is tried).
MAX_CHARS = 320
#: Least probability of the predicted question. Chosen by 5-fold CV on the shipped
#: variants (canonical texts always in training; three writers, 2,228 lines) as the best of
#: right - 3 x wrongly taken (a non-question taken for a question misplaces the answers
#: after it): at 0.6, 973 of 1,051 question variants right and 28 of 1,177 non-question
#: lines taken (0.5: 979 and 35; 0.7: 960 and 24; 0.8: 952 and 22).
THRESHOLD = 0.6

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7}
_NUM = (
    r"(?:(?:frage|question|q|domanda|pytanie|pregunta|vraag|spørsmål|fråga|soru|otázka|"
    r"zu(?:r)?(?:\s+frage)?|ad|re|to|regarding(?:\s+question)?|punkt|point|punto|nr\.?|no\.?)\s*)?"
    r"\(?(?P<n>[1-9]|10|(?:vii|vi|iv|v|iii|ii|i)(?=[.):\s]))(?:\s*[.):\-–—/]+|\s+(?=\D))"
)
_NUMBER = re.compile(r"^\s*[-•*–]?\s*" + _NUM, re.IGNORECASE)
#: Words that mark an answer rather than a question: yes/no openers and first-person
#: plural (the city speaking), in the survey's languages.
_ANSWER_OPENER = re.compile(
    r"^(ja|nein|yes|no|oui|non|sì|si|tak|nie|sí|nee|nei|evet|hayır|ano|ne)\b[,.:!]?", re.IGNORECASE)
_FIRST_PERSON = re.compile(
    r"\b(wir|unser\w*|we|our|us|nous|notre|nos|noi|nostr\w|my|nasz\w*|nosotros|nuestr\w+|wij|ons|onze|"
    r"vi|vår\w*|biz|bizim|naš\w*|máme)\b", re.IGNORECASE)  # fmt: skip
_SENT_END = re.compile(r"(?<=[?:])\s+|(?<=[.!])\s+(?=[A-ZÄÖÜ])")


def split_number(text: str) -> tuple[int | None, str]:
    """``(number hint, rest)``: the leading numbering of a question line, if any."""
    m = _NUMBER.match(text)
    if not m:
        return None, text.strip()
    raw = m.group("n").lower()
    n = _ROMAN.get(raw) if raw in _ROMAN else int(raw)
    return n, text[m.end():].strip()


def _question_part(text: str) -> tuple[str, str]:
    """``(question part, what follows)``: the numbering and the first sentence (up to '?',
    ':' or a full stop), and the rest."""
    t = text.strip()
    _, rest = split_number(t)
    prefix = t[: len(t) - len(rest)]
    parts = _SENT_END.split(rest, maxsplit=1)
    return prefix + parts[0], parts[1] if len(parts) == 2 else ""


def answer_after_question(text: str) -> bool:
    """True when ``text`` goes on after its first sentence or colon ("Zu Frage 1: Für uns
    bedeutet …"): a question opening an answer, not a question line alone."""
    rest = _question_part(text)[1].strip(" *_")
    if rest.endswith("?") or (rest.startswith("(") and rest.endswith(")")):
        return False  # more question: a second sentence of it, or its translation in brackets
    return len(rest.split()) >= 4


def _norm(text: str) -> str:
    t = re.sub(r"\s+", " ", text).strip().strip("*_#").strip()
    return t.casefold()


@dataclass(frozen=True, slots=True)
class QuestionMatch:
    no: int
    probability: float  # the recogniser's probability that the text states question ``no``
    number: int | None  # the numbering the text carried, if any


@dataclass(frozen=True, slots=True)
class Variant:
    text: str
    lang: str | None
    question: int | None  # None: a line that is not one of the questions


def load_variants(path: str | Path | None = None) -> list[Variant]:
    """Canonical texts (``questions.json``) and variants (``question_variants.jsonl``)."""
    out: list[Variant] = []
    qpath = RULES_DIR / "questions.json"
    vpath = Path(path) if path else RULES_DIR / "question_variants.jsonl"
    try:
        data = json.loads(qpath.read_text(encoding="utf-8"))
        for q in data["questions"]:
            no = int(q["no"])
            if not 1 <= no <= N_QUESTIONS:
                raise ValueError(f"question number {no} out of range")
            for lang, text in q["texts"].items():
                out.append(Variant(str(text), lang, no))
        for no, r in read_jsonl(vpath):
            q = r.get("question")
            if q is not None and not (isinstance(q, int) and 1 <= q <= N_QUESTIONS):
                raise ValueError(f"{vpath.name}:{no}: question must be 1..7 or null")
            if not isinstance(r.get("text"), str) or not r["text"].strip():
                raise ValueError(f"{vpath.name}:{no}: missing text")
            out.append(Variant(r["text"], r.get("lang"), q))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"invalid survey question data: {exc}") from exc
    return out


@lru_cache(maxsize=2)
def load_lexicon(path: str | None = None) -> dict[int, tuple[str, ...]]:
    """Question number -> key words (``rules/question_lexicon.json``)."""
    p = Path(path) if path else RULES_DIR / "question_lexicon.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        lex = {int(k): tuple(w.casefold() for w in v) for k, v in data.items() if not k.startswith("_")}
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{p.name}: invalid question lexicon: {exc}") from exc
    if set(lex) != set(range(1, N_QUESTIONS + 1)):
        raise ConfigError(f"{p.name}: needs key words for questions 1..{N_QUESTIONS}")
    return lex


@lru_cache(maxsize=2)
def _lexicon_patterns(path: str | None = None) -> tuple[re.Pattern[str], ...]:
    """One pattern per question: its key words as word prefixes (phrases anywhere)."""
    out = []
    for q in range(1, N_QUESTIONS + 1):
        keys = sorted(set(load_lexicon(path)[q]), key=len, reverse=True)
        alt = "|".join(re.escape(k) if " " in k else r"\b" + re.escape(k) for k in keys)
        out.append(re.compile(f"(?:{alt})"))
    return tuple(out)


def _lexicon_hits(text: str) -> list[float]:
    """Distinct key words of each question found in ``text`` (at most 3)."""
    low = _norm(text)
    return [float(min(len(set(p.findall(low))), 3)) for p in _lexicon_patterns()]


class QuestionRecognizer:
    """A multinomial logistic regression over "none" and the seven questions.

    Features of a line (its numbering split off first): character 2–5-grams and word
    1–2-grams (TF-IDF), the cosine similarity to the nearest variant of each class
    (leave-one-out while fitting), key-word hits per question
    (``rules/question_lexicon.json``), the numbering hint alone and where it agrees with a
    question's key words, yes/no openers and first-person wording (answers), a question
    mark, a full stop, the length. Trained on the canonical texts and the variants.
    ``threshold`` is the least probability of the predicted question.
    """

    def __init__(self, variants: Sequence[Variant], threshold: float = THRESHOLD, C: float = 16.0) -> None:
        self.threshold = threshold
        self.lexicon_ = load_lexicon()
        rests = [split_number(v.text)[1] for v in variants]
        self.char_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                     preprocessor=_norm, dtype=np.float32).fit(rests)  # fmt: skip
        self.word_ = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                     preprocessor=_norm, dtype=np.float32).fit(rests)  # fmt: skip
        self.q_ = np.asarray([v.question or 0 for v in variants])
        self.Xc_ = self.char_.transform(rests)
        X = self._features([v.text for v in variants], exclude_self=True)
        self.lr_ = LogisticRegression(C=C, class_weight="balanced", max_iter=3000).fit(X, self.q_)

    def _nearest(self, Xc: sp.csr_matrix, exclude_self: bool) -> np.ndarray:
        """Per text: the cosine similarity to the nearest variant of each class (0 = none)."""
        S = (Xc @ self.Xc_.T).toarray()
        if exclude_self:
            np.fill_diagonal(S, -1.0)
        return np.column_stack([S[:, self.q_ == q].max(axis=1) for q in range(N_QUESTIONS + 1)])

    def _features(self, texts: Sequence[str], exclude_self: bool = False) -> sp.csr_matrix:
        split = [split_number(t) for t in texts]
        rests = [r for _, r in split]
        Xc = self.char_.transform(rests)
        near = self._nearest(Xc, exclude_self)
        dense = []
        for raw, (n, rest) in zip(texts, split):
            words = len(rest.split())
            hits = _lexicon_hits(rest)
            hint = [0.0] * (N_QUESTIONS + 1)
            agree = [0.0] * N_QUESTIONS
            if n and 1 <= n <= N_QUESTIONS:
                hint[n] = 1.0
                agree[n - 1] = float(hits[n - 1] > 0)
            hint[0] = float(n is not None)
            dense.append([
                float(bool(_ANSWER_OPENER.match(rest))), float(bool(_FIRST_PERSON.search(rest))),
                float(bool(re.search(r"\d", rest))), float("@" in rest or "://" in rest),
                float(rest.rstrip().endswith(":")),
                float(rest.rstrip("*_ ").endswith("?")), float(raw.rstrip().endswith((".", "!"))),
                min(words, 60) / 20.0, float(words <= 6), float(words > 25), *hits, *hint, *agree,
            ])  # fmt: skip
        return sp.hstack([Xc, self.word_.transform(rests), sp.csr_matrix(3.0 * np.asarray(dense, dtype=np.float32)),
                          sp.csr_matrix(3.0 * near.astype(np.float32))], format="csr")  # fmt: skip

    def scores(self, texts: Iterable[str]) -> list[QuestionMatch | None]:
        """The most probable question for each text (None: "no question" is most probable,
        or the text is empty or too long)."""
        texts = list(texts)
        prepared, idx = [], []
        for i, text in enumerate(texts):
            t = text.strip()
            if len(t) > MAX_CHARS or answer_after_question(t):  # a question opening an answer:
                t = _question_part(t)[0]  # its first sentence (or up to ':')
            if not t or len(t) > MAX_CHARS or not split_number(t)[1]:
                continue
            prepared.append(t)
            idx.append(i)
        out: list[QuestionMatch | None] = [None] * len(texts)
        if not prepared:
            return out
        P = self.lr_.predict_proba(self._features(prepared))
        classes = [int(c) for c in self.lr_.classes_]
        for j, i in enumerate(idx):
            k = int(np.argmax(P[j]))
            if classes[k] != 0:
                out[i] = QuestionMatch(classes[k], float(P[j, k]), split_number(prepared[j])[0])
        return out

    def match(self, text: str) -> QuestionMatch | None:
        """The survey question ``text`` states, or None."""
        return self.match_many([text])[0]

    def match_many(self, texts: Iterable[str]) -> list[QuestionMatch | None]:
        """:meth:`match` for many texts at once."""
        return [m if m is not None and m.probability >= self.threshold else None for m in self.scores(texts)]


@lru_cache(maxsize=2)
def question_recognizer(path: str | None = None) -> QuestionRecognizer:
    """The recogniser fitted on the shipped variants (once per process; the fitted one is
    kept in the user's cache, keyed by the rule files: :mod:`watext.cache`)."""
    if path is not None:
        return QuestionRecognizer(load_variants(path))
    rules = sorted(RULES_DIR.glob("question*.json*"))
    return cached("questions", file_key(*rules), lambda: QuestionRecognizer(load_variants()))
