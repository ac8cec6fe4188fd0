"""Feature extraction for passages: a scikit-learn transformer.

:class:`PassageFeaturizer` turns passages (strings, ``{"text", "lang"}`` mappings or
``(text, lang)`` pairs; optional ``langs``) into one sparse matrix of

- TF-IDF word 1–2-grams over lowercase lookup lemmas (blank spaCy pipeline per language),
- TF-IDF ``char_wb`` 2–5-grams over the raw lowercased text (German compounds, fragments),
- domain-lexicon hit counts per goal (``rules/lexicon.jsonl``, ``log1p``-scaled),
- body-rule indicators per body type and per rule (``rules/bodies.jsonl`` via the Annotator),
- body cues (``rules/body_cues.json``): does the passage say a body *leads* the work, or only
  *mentions* it (speech, greeting, vote, quote, contact), alone and per body type found,
- a language indicator (de / en / other) and a length bucket (fragment ≤5 words / sentence / long).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from watext.errors import ConfigError

from watext.tag.analysis import Analysis, analyze, as_pairs, load_lexicon
from watext.model import BODY_LABELS
from watext.tag.nlp import RULES_DIR, load_body_rules
from watext.tag.prefilter import RegexSet
from watext.tag.vectors import WORDS, Lexicon, log1p_counts, remember, tfidf
from watext.tag.wordtable import BitRows

__all__ = ["PassageFeaturizer", "length_bucket"]

LENGTH_BUCKETS = ("fragment", "sentence", "long")
LANG_BUCKETS = ("de", "en", "other")


CUES = ("lead", "mention")


@lru_cache(maxsize=1)
def load_body_cues() -> dict[str, tuple[re.Pattern[str], ...]]:
    """``{"lead": patterns, "mention": patterns}`` of ``rules/body_cues.json`` (validated)."""
    path = RULES_DIR / "body_cues.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {c: tuple(re.compile(x, re.IGNORECASE) for x in data[c]) for c in CUES}
    except (OSError, ValueError, KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"{path.name}: invalid body cues: {exc}") from exc


def length_bucket(n_words: int) -> str:
    """``fragment`` (≤5 words), ``sentence`` (≤40 words) or ``long``."""
    return "fragment" if n_words <= 5 else "sentence" if n_words <= 40 else "long"


def length_index(n_words: np.ndarray) -> np.ndarray:
    """``LENGTH_BUCKETS.index(length_bucket(n))`` for each ``n`` of ``n_words``."""
    return (n_words > 5).astype(np.int64) + (n_words > 40)


def _split(s: str) -> list[str]:
    return s.split()


def _with_rows(x: Any) -> tuple[Any, BitRows]:
    """``x`` (a :class:`.Lexicon` or :class:`.RegexSet`) and the bit rows of its words."""
    return x, BitRows(x.words, WORDS)


def _float32(X: Any) -> Any:
    """``X`` with float32 values (each cast once, as ``sp.hstack(..., dtype=np.float32)``
    casts them): stacked parts that are all float32 are not first concatenated as float64."""
    if X.dtype == np.float32 or X.format != "csr":
        return X
    return type(X)((X.data.astype(np.float32), X.indices, X.indptr), shape=X.shape)


_LEXICONS: dict[int, tuple[Any, Any]] = {}
_CUES: dict[int, tuple[Any, Any]] = {}


class PassageFeaturizer(TransformerMixin, BaseEstimator):
    """Lemma word n-grams + char n-grams + lexicon, body-rule, language and length features.

    Parameters are stored untouched (estimator contract); learned state ends in ``_``.
    """

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 1,
        max_char_features: int | None = 150_000,
        use_chars: bool = True,
        lexicon_path: str | None = None,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_char_features = max_char_features
        self.use_chars = use_chars
        self.lexicon_path = lexicon_path

    def _analyses(self, X: Any, langs: Sequence[str | None] | None) -> list[Analysis]:
        if X and isinstance(X[0], Analysis):
            return list(X)
        return analyze(as_pairs(X, langs))

    def fit(self, X: Any, y: Any = None, langs: Sequence[str | None] | None = None) -> PassageFeaturizer:
        """Learn vocabularies and IDF weights from the passages ``X``."""
        from pathlib import Path

        docs = self._analyses(X, langs)
        self.lexicon_ = load_lexicon(Path(self.lexicon_path) if self.lexicon_path else None)
        self.body_rules_ = tuple(r.id for r in load_body_rules())
        self.cues_ = load_body_cues()
        self.word_ = TfidfVectorizer(
            tokenizer=_split, token_pattern=None, lowercase=False,
            ngram_range=self.word_ngram_range, min_df=self.min_df, sublinear_tf=True,
        ).fit([d.lemmas for d in docs])
        self.char_ = None
        if self.use_chars:
            self.char_ = TfidfVectorizer(
                analyzer="char_wb", ngram_range=self.char_ngram_range, lowercase=True,
                min_df=self.min_df, max_features=self.max_char_features, sublinear_tf=True,
                dtype=np.float32,
            ).fit([d.text for d in docs])
        self.n_features_in_ = 1
        return self

    def _dense_names(self) -> list[str]:
        cues = [f"cue__{c}" for c in CUES] + [f"cue__{c}__{b}" for c in CUES for b in BODY_LABELS]
        return (
            [f"lex__{g}" for g in self.lexicon_]
            + [f"body__{b}" for b in BODY_LABELS]
            + [f"rule__{r}" for r in self.body_rules_]
            + [f"lang__{x}" for x in LANG_BUCKETS]
            + [f"len__{x}" for x in LENGTH_BUCKETS]
            + (cues if getattr(self, "cues_", None) else [])  # models fitted before the cues lack them
        )

    def _dense(self, docs: list[Analysis], low: Any = None, lem: Any = None) -> sp.csr_matrix:
        """The dense columns; ``low``, ``lem``: ``WORDS.ids`` of the texts, lowercased, and
        of the lemmas (made if None)."""
        rule_ix = {r: i for i, r in enumerate(self.body_rules_)}
        nl, nb, nr = len(self.lexicon_), len(BODY_LABELS), len(rule_ix)
        n = len(docs)
        out = np.zeros((n, nl + nb + nr + 6), dtype=np.float32)
        if low is None or lem is None:
            with WORDS.lock:
                return self._dense(docs, *WORDS.batch([d.text for d in docs], [d.lemmas for d in docs]))
        if nl:
            lex, lex_rows = remember(_LEXICONS, self.lexicon_, lambda x: _with_rows(Lexicon(x)))
            bits = lex_rows.of(*low) | lex_rows.of(*lem)
            hay = lambda i: docs[i].text.lower() + " \n " + docs[i].lemmas  # noqa: E731
            out[:, :nl] = log1p_counts(lex.counts_rows(bits, hay))
        k = nl + nb + nr
        for i, d in enumerate(docs):
            for b in d.bodies:
                out[i, nl + BODY_LABELS.index(b["label"])] = 1.0
                if b["rule"] in rule_ix:
                    out[i, nl + nb + rule_ix[b["rule"]]] = 1.0
        rows = np.arange(n)
        out[rows, [k + (0 if d.lang == "de" else 1 if d.lang == "en" else 2) for d in docs]] = 1.0
        words = np.fromiter((d.n_words for d in docs), dtype=np.int64, count=n)
        out[rows, k + 3 + length_index(words)] = 1.0
        cues = getattr(self, "cues_", None)
        if not cues:
            return sp.csr_matrix(out)
        cue_set, cue_rows = remember(_CUES, cues, lambda c: _with_rows(RegexSet([p for name in CUES for p in c[name]],
                                                                              boundaries=True)))  # fmt: skip
        extra = np.zeros((n, len(CUES) * (1 + nb)), dtype=np.float32)
        # the cue patterns that can match each text
        candidates = cue_set.candidates_rows([d.text for d in docs], cue_rows.of(*low) if n else None)
        for i, d in enumerate(docs):
            found, may = None, candidates[i]
            if not may:
                continue
            for j, c in enumerate(CUES):
                if any(p.search(d.text) for p in cues[c] if p in may):
                    extra[i, j] = 1.0
                    found = found if found is not None else {b["label"] for b in d.bodies}
                    for bi, b in enumerate(BODY_LABELS):
                        extra[i, len(CUES) + j * nb + bi] = float(b in found)
        return sp.csr_matrix(np.hstack([out, extra]))

    def transform(self, X: Any, langs: Sequence[str | None] | None = None) -> sp.csr_matrix:
        """Sparse feature matrix (rows follow ``X``)."""
        check_is_fitted(self, "word_")
        docs = self._analyses(X, langs)
        texts = [d.text for d in docs]
        lemmas = [d.lemmas for d in docs]
        with WORDS.lock:  # ids are valid until the next fresh(): one batch at a time
            # the words of the lowercased texts (read by the char n-grams, lexicon and cues)
            # and of the lemmas (read by the word n-grams and lexicon)
            low, lem = WORDS.batch(texts, lemmas)
            parts = [tfidf(self.word_, lemmas, _split, words=lem if not self.word_.lowercase else None)]
            if self.char_ is not None:
                parts.append(tfidf(self.char_, texts, words=low if self.char_.lowercase else None))
            parts.append(self._dense(docs, low, lem))
        return sp.hstack([_float32(p) for p in parts], format="csr", dtype=np.float32)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names: ``word__…``, ``char__…``, then the dense ``lex__/body__/rule__/lang__/len__`` columns."""
        check_is_fitted(self, "word_")
        names = [f"word__{n}" for n in self.word_.get_feature_names_out()]
        if self.char_ is not None:
            names += [f"char__{n}" for n in self.char_.get_feature_names_out()]
        return np.asarray(names + self._dense_names(), dtype=object)
