"""Every eval metric's arithmetic on tiny hand-made cases, normalisation included."""

from __future__ import annotations

import pytest

from evals import metrics

CYRILLIC_E = "\u0435"  # looks like a Latin "e"
NBSP = "\u00a0"


# --- normalisation -------------------------------------------------------------------------


def test_normalize_answer_squad_rules() -> None:
    assert metrics.normalize_answer("The  Et-Tanf base!") == "ettanf base"
    assert metrics.normalize_answer("An apple, a pear.") == "apple pear"
    assert metrics.normalize_answer("  ") == ""


def test_normalize_answer_folds_unicode() -> None:
    assert metrics.normalize_answer(f"Vershinin’s{NBSP}bases") == "vershinins bases"
    assert metrics.normalize_answer(f"V{CYRILLIC_E}rshinin") == "vershinin"
    assert metrics.normalize_answer("ﬁnal ＡＢＣ") == "final abc"  # NFKC: ligature, full width
    assert metrics.normalize_answer("“ISIS”") == "isis"


# --- exact match and token F1 -------------------------------------------------------------


def test_exact_match_against_variants() -> None:
    assert metrics.exact_match("Three", ["3", "three"]) == 1.0
    assert metrics.exact_match("the Et-Tanf base.", "Et-Tanf base") == 1.0
    assert metrics.exact_match("Et-Tanf", "Et-Tanf base") == 0.0
    assert metrics.exact_match("", "x") == 0.0
    assert metrics.exact_match(f"Sergei V{CYRILLIC_E}rshinin", "Sergei Vershinin") == 1.0
    assert metrics.exact_match("Four", "4") == 1.0  # number words and ordinals as digits
    assert metrics.exact_match("October 15th", "October 15") == 1.0


def test_token_f1_arithmetic() -> None:
    # prediction 4 tokens, gold 2, 2 shared: P = 1/2, R = 1, F1 = 2/3
    assert metrics.token_f1("taken to Tanf base", "Tanf base") == pytest.approx(2 / 3)
    # a repeated token counts only as often as the gold has it: P 2/3, R 1 -> 0.8
    assert metrics.token_f1("x x y", "x y") == pytest.approx(0.8)
    assert metrics.token_f1("nothing shared", "Tanf base") == 0.0
    assert metrics.token_f1("", "Tanf") == 0.0
    assert metrics.token_f1("", "") == 1.0  # both empty after normalisation: SQuAD's rule
    # best over the gold variants
    assert metrics.token_f1("three", ["3", "three"]) == 1.0
    assert metrics.token_f1(f"Russia’s{NBSP}bases", "Russias bases") == 1.0


# --- containment and retrieval ranks --------------------------------------------------------


def test_contains_normalises_whitespace_quotes_and_lookalikes() -> None:
    passage = f"Deputy Foreign Minister Sergei V{CYRILLIC_E}rshinin said\n  the bases’ role"
    assert metrics.contains(passage, "Minister Sergei Vershinin said the bases' role")
    assert metrics.contains("a\u00a0b\tc", "A B C")
    assert metrics.contains("ﬁre at the warehouse", "fire")
    assert not metrics.contains(passage, "")


def test_contains_respects_word_boundaries() -> None:
    assert not metrics.contains("in 2023 there were", "3")
    assert metrics.contains("3 US citizens", "3")
    assert not metrics.contains("Iranian officials", "Iran")
    assert metrics.contains("Russia, Iran and the USA", "Iran")
    assert metrics.contains("(al-Baba)", "al-Baba")
    assert not metrics.contains("3,000 troops", "3") and not metrics.contains("3.5%", "3")
    assert metrics.contains("3, 2 and 1", "3")
    assert not metrics.contains("two helicopters", "helicopter")


def test_contains_stem_mode_allows_word_endings_not_more_digits() -> None:
    assert metrics.contains("two helicopters", "helicopter", stem=True)
    assert metrics.contains("on October 15th", "October 15", stem=True)
    assert not metrics.contains("30 soldiers", "3", stem=True)
    assert not metrics.contains("in 2023", "3", stem=True)


def test_first_hit_rank_single_and_multiple_evidence() -> None:
    texts = ["nothing here", "the Et-Tanf base", "joint forces", "ISIS attack"]
    assert metrics.first_hit_rank(texts, "Et-Tanf base") == 2
    assert metrics.first_hit_rank(texts, "Palmyra") is None
    # a comparison needs every piece: covered by rank 4
    assert metrics.first_hit_rank(texts, ["joint forces", "ISIS attack"]) == 4
    assert metrics.first_hit_rank(texts, ["joint forces", "missing"]) is None
    assert metrics.first_hit_rank(texts, []) is None


def test_hit_at_k_and_reciprocal_rank() -> None:
    assert metrics.hit_at_k(1, 1) == 1.0
    assert metrics.hit_at_k(3, 1) == 0.0
    assert metrics.hit_at_k(3, 5) == 1.0
    assert metrics.hit_at_k(None, 10) == 0.0
    assert metrics.reciprocal_rank(4) == 0.25
    assert metrics.reciprocal_rank(None) == 0.0
    ranks = [1, 2, None, 4]
    assert metrics.mean(metrics.reciprocal_rank(r) for r in ranks) == pytest.approx(
        (1 + 0.5 + 0 + 0.25) / 4
    )


# --- key facts and citations -------------------------------------------------------------------


def test_key_facts_every_group_any_variant() -> None:
    facts = [["Türkiye", "Turkey"], ["Russia"], ["Iran"]]
    assert metrics.key_facts_present("Turkey, Russia and Iran [1].", facts)
    assert not metrics.key_facts_present("Turkey and Russia [1].", facts)
    assert metrics.key_facts_present("Three died.", [["3", "three"]])
    assert metrics.key_facts_present("anything", [])  # no facts asked: vacuously true
    assert metrics.key_facts_present(f"V{CYRILLIC_E}rshinin", [["Vershinin"]])
    assert metrics.key_facts_present("American helicopters [1].", [["helicopter"]])
    assert not metrics.key_facts_present("30 died.", [["3", "three"]])


def test_claim_supported_lexically_or_by_evidence() -> None:
    passage = "3 US citizens, 2 soldiers and 1 civilian, lost their lives."
    assert metrics.claim_supported("Three US citizens lost their lives.", passage)
    assert not metrics.claim_supported("The capital of France is Paris.", passage)
    # a paraphrase the words do not cover, saved by the gold evidence and a key fact
    claim = "The raid left three people dead."
    assert not metrics.claim_supported(claim, passage)
    assert metrics.claim_supported(claim, passage, evidence=[passage], key_facts=[["3", "three"]])
    # the evidence must be in the cited passage
    assert not metrics.claim_supported(
        claim, "unrelated text", evidence=[passage], key_facts=[["3", "three"]]
    )


def test_claim_supported_uses_the_given_support_and_threshold() -> None:
    always_half = lambda claim, passage: 0.5  # noqa: E731
    assert metrics.claim_supported("x", "y", support=always_half, threshold=0.5)
    assert not metrics.claim_supported("x", "y", support=always_half, threshold=0.6)


def test_citation_precision_and_recall() -> None:
    assert metrics.citation_precision([True, False, True, True]) == 0.75
    assert metrics.citation_precision([]) is None
    cited = ["the Et-Tanf base is near", "joint forces attacked"]
    assert metrics.citation_recall(cited, "Et-Tanf base") == 1.0
    assert metrics.citation_recall(cited, ["Et-Tanf base", "ISIS"]) == 0.5
    assert metrics.citation_recall([], ["Et-Tanf base"]) == 0.0
    assert metrics.citation_recall(cited, []) is None


# --- refusals ---------------------------------------------------------------------------------


def test_refusal_precision_recall() -> None:
    refused = [True, True, False, False, True]
    unanswerable = [True, False, True, False, True]
    scores = metrics.refusal_scores(refused, unanswerable)
    assert scores["refusal_precision"] == pytest.approx(2 / 3)  # 2 of 3 refusals right
    assert scores["refusal_recall"] == pytest.approx(2 / 3)  # 2 of 3 unanswerables refused
    assert scores["refusal_rate"] == pytest.approx(3 / 5)
    assert scores["false_refusals"] == 1


def test_refusal_scores_empty_denominators() -> None:
    scores = metrics.refusal_scores([False, False], [False, False])
    assert scores["refusal_precision"] is None and scores["refusal_recall"] is None
    assert scores["refusal_rate"] == 0.0
    with pytest.raises(ValueError):
        metrics.refusal_scores([True], [True, False])


# --- aggregation ---------------------------------------------------------------------------------


def test_mean_skips_none() -> None:
    assert metrics.mean([1.0, None, 0.0, True]) == pytest.approx(2 / 3)
    assert metrics.mean([None]) is None
    assert metrics.mean([]) is None


def test_percentile_interpolates() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert metrics.percentile(values, 50) == 2.5
    assert metrics.percentile(values, 0) == 1.0
    assert metrics.percentile(values, 100) == 4.0
    assert metrics.percentile(values, 90) == pytest.approx(3.7)
    assert metrics.percentile([], 50) is None


def test_latency_summary_per_stage() -> None:
    timings = [{"retrieve": 0.1, "generate": 2.0}, {"retrieve": 0.3}, {"retrieve": 0.2}]
    summary = metrics.latency_summary(timings)
    assert summary["retrieve"]["n"] == 3
    assert summary["retrieve"]["mean"] == pytest.approx(0.2)
    assert summary["retrieve"]["p50"] == pytest.approx(0.2)
    assert summary["retrieve"]["max"] == pytest.approx(0.3)
    assert summary["generate"] == {"n": 1, "mean": 2.0, "p50": 2.0, "p90": 2.0, "max": 2.0}


def test_mean_by_group() -> None:
    records = [
        {"type": "who", "f1": 1.0, "hit": 1.0},
        {"type": "who", "f1": 0.0, "hit": None},
        {"type": "when", "f1": 0.5, "hit": 0.0},
    ]
    groups = metrics.mean_by(records, "type", ["f1", "hit"])
    assert groups == {
        "who": {"n": 2, "f1": 0.5, "hit": 1.0},
        "when": {"n": 1, "f1": 0.5, "hit": 0.0},
    }
