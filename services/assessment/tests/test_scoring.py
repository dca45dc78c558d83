"""The scoring engine and gap analysis as pure functions over index documents."""

from decimal import Decimal
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.assessment.index.schemas import IndexDocument, LevelRuleEntry
from services.assessment.scoring.engine import Answers, InvalidAnswers, score
from services.assessment.scoring.gap import GapPlan, gap_plan
from services.assessment.tests.helpers import MIIT, all_best, all_none, best_options, fixture_text

# Every distinct way to answer each question: single options, and every subset of multiple options.
VARIANTS = {
    q.code: (
        [[o.key] for o in q.options]
        if q.type == "single"
        else [
            list(c)
            for n in range(1, 4)
            for c in combinations([o.key for o in q.options if not o.exclusive], n)
        ]
        + [[k] for k in q.exclusive_keys]
        + [best_options(q)]
    )
    for q in MIIT.questions
}


def reachable_sums() -> dict[Decimal, dict[str, list[str]]]:
    """Base score → one answer set reaching it exactly (subset-sum over the index)."""
    sums: dict[Decimal, dict[str, list[str]]] = {Decimal(0): {}}
    for question in MIIT.questions:
        step: dict[Decimal, dict[str, list[str]]] = {}
        for total, chosen in sums.items():
            for keys in VARIANTS[question.code]:
                value = total + sum((question.option(k).score for k in keys), Decimal(0))  # type: ignore[union-attr]
                step.setdefault(value, {**chosen, question.code: keys})
        sums = step
    return sums


SUMS = reachable_sums()


def answers_scoring(target: Decimal, levels: dict[str, int]) -> Answers:
    return Answers(SUMS[target], levels)


def largest_below(target: Decimal) -> Decimal:
    return max(s for s in SUMS if s < target)


def scenario_levels(level: int, total: int, mandatory: int) -> dict[str, int]:
    mandatory_codes = [s.code for s in MIIT.scenarios if s.mandatory][:mandatory]
    others = [s.code for s in MIIT.scenarios if not s.mandatory][: total - mandatory]
    chosen = mandatory_codes + others
    assert len(chosen) == total, "the index cannot be satisfied that way"
    return {code: level for code in chosen}


def apply(answers: Answers, plan: GapPlan) -> Answers:
    options = dict(answers.options)
    levels = dict(answers.scenario_levels)
    for item in plan.improvements:
        if item.kind == "question":
            options[item.code] = list(item.to_options)
        else:
            levels[item.code] = item.to_level
    return Answers(options, levels)


RULES = sorted(MIIT.level_rule.rules, key=lambda r: r.level)


class TestCornerCases:
    def test_all_none_scores_zero_and_no_level(self) -> None:
        result = score(MIIT, all_none())
        assert result.base_score == 0 and result.level == 0
        assert all(d.score == 0 for d in result.dimensions)
        assert "level 1 not met: base score 0 < 20 (short by 20)" in result.explanation

    def test_all_best_scores_100_and_level_4(self) -> None:
        result = score(MIIT, all_best())
        assert result.base_score == 100 and result.level == 4
        assert [(d.code, d.score) for d in result.dimensions] == [
            ("D1", Decimal(50)),
            ("D2", Decimal(30)),
            ("D3", Decimal(20)),
        ]
        assert result.base_score_centi == 10000 and result.base_score_milli == 100000

    def test_scores_add_up_exactly_across_the_tree(self) -> None:
        answers = Answers({**all_none().options, "D2.1.2": ["B"], "D1.2.1": ["B", "O"]}, {})
        result = score(MIIT, answers)
        assert result.base_score == Decimal("3.475")  # 1.875 + 0.7 + 0.9, no float drift
        assert sum(q.score for q in result.questions) == result.base_score
        assert result.base_score_centi == 348  # half up


class TestThresholds:
    @pytest.mark.parametrize("rule", RULES, ids=lambda r: f"L{r.level}")
    def test_every_threshold_exactly_met(self, rule: LevelRuleEntry) -> None:
        levels = scenario_levels(
            rule.level, rule.min_scenarios_at_or_above_level, rule.min_mandatory_scenarios_at_or_above_level
        )
        result = score(MIIT, answers_scoring(rule.min_base_score, levels))
        assert result.level == rule.level
        check = next(c for c in result.level_checks if c.level == rule.level)
        assert check.met and "short by" not in check.text

    @pytest.mark.parametrize("rule", RULES, ids=lambda r: f"L{r.level}")
    def test_base_score_missed_by_the_smallest_step(self, rule: LevelRuleEntry) -> None:
        levels = scenario_levels(
            rule.level, rule.min_scenarios_at_or_above_level, rule.min_mandatory_scenarios_at_or_above_level
        )
        below = largest_below(rule.min_base_score)
        result = score(MIIT, answers_scoring(below, levels))
        assert result.level < rule.level
        check = next(c for c in result.level_checks if c.level == rule.level)
        shortfall = rule.min_base_score - below
        assert check.checks[0].shortfall == shortfall and shortfall <= Decimal("0.1")
        assert f"(short by {shortfall.normalize():f})" in check.text

    @pytest.mark.parametrize("rule", RULES, ids=lambda r: f"L{r.level}")
    def test_one_scenario_short(self, rule: LevelRuleEntry) -> None:
        levels = scenario_levels(
            rule.level, rule.min_scenarios_at_or_above_level, rule.min_mandatory_scenarios_at_or_above_level
        )
        dropped = next(code for code in reversed(list(levels)))
        levels[dropped] = rule.level - 1
        result = score(MIIT, answers_scoring(rule.min_base_score, levels))
        assert result.level < rule.level
        check = next(c for c in result.level_checks if c.level == rule.level)
        assert [c.met for c in check.checks] == [True, False, False if dropped in MANDATORY else True]

    @pytest.mark.parametrize("rule", RULES, ids=lambda r: f"L{r.level}")
    def test_one_mandatory_scenario_short(self, rule: LevelRuleEntry) -> None:
        """Enough scenarios, but one of them guiding instead of mandatory."""
        guiding = sum(1 for s in MIIT.scenarios if not s.mandatory)
        mandatory = rule.min_mandatory_scenarios_at_or_above_level - 1
        assert rule.min_scenarios_at_or_above_level - mandatory <= guiding, "index too small for this case"
        levels = scenario_levels(rule.level, rule.min_scenarios_at_or_above_level, mandatory)
        result = score(MIIT, answers_scoring(rule.min_base_score, levels))
        check = next(c for c in result.level_checks if c.level == rule.level)
        assert [c.met for c in check.checks] == [True, True, False]
        assert result.level < rule.level
        assert "mandatory" in check.text and "(short by 1)" in check.text

    def test_explanation_names_the_numbers(self) -> None:
        levels = scenario_levels(2, 6, 2)
        result = score(MIIT, answers_scoring(Decimal("52.5"), levels))
        assert result.level == 0  # the level-1 rule asks for the same scenario counts
        level_two = next(c for c in result.level_checks if c.level == 2)
        assert level_two.text == (
            "level 2 not met: base score 52.5 ≥ 40; 6 scenarios at level ≥2, 6 needed; "
            "of which 2 mandatory, 3 needed (short by 1)"
        )


MANDATORY = {s.code for s in MIIT.scenarios if s.mandatory}


class TestValidation:
    def errors(self, answers: Answers, index: IndexDocument = MIIT) -> list[tuple[str, str]]:
        with pytest.raises(InvalidAnswers) as caught:
            score(index, answers)
        return [(e.code, e.error) for e in caught.value.errors]

    def test_missing_required_question(self) -> None:
        options = dict(all_none().options)
        del options["D1.3.1"]
        assert self.errors(Answers(options, {})) == [("D1.3.1", "answer_missing")]

    def test_unknown_option_and_question(self) -> None:
        options = {**all_none().options, "D1.1.2": ["Z"], "D9.9.9": ["A"]}
        assert sorted(self.errors(Answers(options, {}))) == [
            ("D1.1.2", "unknown_option"),
            ("D9.9.9", "unknown_question"),
        ]

    def test_none_combined_with_others(self) -> None:
        options = {**all_none().options, "D1.1.1": ["A", "B"]}
        assert self.errors(Answers(options, {})) == [("D1.1.1", "exclusive_option")]

    def test_two_options_on_a_single_choice(self) -> None:
        options = {**all_none().options, "D1.1.2": ["B", "C"]}
        assert self.errors(Answers(options, {})) == [("D1.1.2", "single_choice")]

    @pytest.mark.parametrize("level", [-1, 5, True])
    def test_scenario_level_out_of_range(self, level: int) -> None:
        assert self.errors(Answers(all_none().options, {"S01": level})) == [
            ("S01", "scenario_level_out_of_range")
        ]

    def test_unknown_scenario(self) -> None:
        assert self.errors(Answers(all_none().options, {"S99": 2})) == [("S99", "unknown_scenario")]

    def test_all_problems_reported_at_once(self) -> None:
        options = {**all_none().options, "D1.1.1": ["A", "C"], "D1.1.2": ["Q"]}
        del options["D3.3.2"]
        assert len(self.errors(Answers(options, {"S01": 9}))) == 4


class TestRulesAsData:
    def variant(self, **changes: object) -> IndexDocument:
        document = MIIT.model_dump(mode="json")
        for rule in document["level_rule"]["rules"]:
            if rule["level"] == 2:
                rule.update(changes)
        return IndexDocument.model_validate(document)

    def test_a_stricter_level_two_rule_changes_the_level(self) -> None:
        answers = answers_scoring(Decimal(45), scenario_levels(2, 6, 3))
        assert score(MIIT, answers).level == 2
        assert score(self.variant(min_base_score=50), answers).level == 1
        assert score(self.variant(min_mandatory_scenarios_at_or_above_level=4), answers).level == 1

    def test_a_second_index_scores_with_its_own_rule(self) -> None:
        demo = IndexDocument.model_validate_json(fixture_text("demo-2026-provincial.json"))
        answers = Answers({"P1.1.1": ["B"], "P1.1.2": ["B"], "P2.1.1": ["B"]}, {"X1": 2, "X3": 2})
        result = score(demo, answers)
        assert (result.base_score, result.level) == (Decimal(45), 2)
        assert score(demo, all_best(demo)).level == 4

    @pytest.mark.parametrize(
        ("path", "value"),
        [
            (("dimensions", 0, "points"), 51),
            (("dimensions", 0, "indicators", 0, "questions", 1, "options", 4, "score"), 5),
            (("dimensions", 0, "indicators", 0, "questions", 1, "options", 1, "score"), 1.0001),
            (("level_rule", "rules", 0, "min_scenarios_at_or_above_level"), 17),
            (("code",), "Not A Code"),
        ],
    )
    def test_inconsistent_documents_are_refused(self, path: tuple[object, ...], value: object) -> None:
        document = MIIT.model_dump(mode="json")
        node = document
        for key in path[:-1]:
            node = node[key]  # type: ignore[index]
        node[path[-1]] = value  # type: ignore[index]
        with pytest.raises(ValueError):
            IndexDocument.model_validate(document)


class TestGapAnalysis:
    def test_from_nothing_to_level_two(self) -> None:
        plan = gap_plan(MIIT, all_none(), 2)
        assert plan.reachable and plan.current_level == 0
        scenarios = [i for i in plan.improvements if i.kind == "scenario"]
        assert len(scenarios) == 6 and sum(1 for i in scenarios if i.code in MANDATORY) >= 3
        assert sum(i.score_gain for i in plan.improvements) >= 40
        assert score(MIIT, apply(all_none(), plan)).level >= 2
        efforts = [i.effort for i in plan.improvements]
        assert efforts == sorted(efforts) and plan.effort == sum(efforts)

    def test_alternatives_are_distinct_reach_the_target_and_cost_no_less(self) -> None:
        plan = gap_plan(MIIT, all_none(), 2)
        assert 1 <= len(plan.alternatives) <= 2
        for alternative in plan.alternatives:
            assert alternative.key() != plan.key() and alternative.effort >= plan.effort
            assert score(MIIT, apply(all_none(), alternative)).level >= 2
        assert [a.effort for a in plan.alternatives] == sorted(a.effort for a in plan.alternatives)

    def test_only_the_missing_mandatory_scenario(self) -> None:
        answers = answers_scoring(Decimal(45), scenario_levels(2, 6, 2))
        plan = gap_plan(MIIT, answers, 2)
        assert [(i.kind, i.from_level, i.to_level) for i in plan.improvements] == [("scenario", 0, 2)]
        assert plan.improvements[0].code in MANDATORY
        assert plan.effort == 2 * MIIT.gap_effort.scenario_level_step

    def test_already_there(self) -> None:
        plan = gap_plan(MIIT, all_best(), 3)
        assert plan.reachable and plan.improvements == [] and plan.effort == 0

    def test_no_rule_for_the_target(self) -> None:
        assert not gap_plan(MIIT, all_none(), 5).reachable


answer_sets = st.fixed_dictionaries({q.code: st.sampled_from(VARIANTS[q.code]) for q in MIIT.questions})
level_sets = st.fixed_dictionaries({s.code: st.integers(0, 4) for s in MIIT.scenarios})


class TestProperties:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(answer_sets, level_sets, st.integers(1, 4))
    def test_a_gap_plan_reaches_its_target(self, options: dict, levels: dict, target: int) -> None:  # type: ignore[type-arg]
        answers = Answers(options, levels)
        result = score(MIIT, answers)
        assert 0 <= result.base_score <= 100
        assert result.base_score == sum(d.score for d in result.dimensions)
        plan = gap_plan(MIIT, answers, target, result)
        assert plan.reachable
        for way in [plan, *plan.alternatives]:
            assert score(MIIT, apply(answers, way)).level >= target
            assert way.effort >= plan.effort

    @settings(max_examples=60, deadline=None)
    @given(answer_sets, level_sets)
    def test_raising_a_scenario_never_lowers_the_level(self, options: dict, levels: dict) -> None:  # type: ignore[type-arg]
        before = score(MIIT, Answers(options, levels)).level
        raised = {code: min(4, level + 1) for code, level in levels.items()}
        assert score(MIIT, Answers(options, raised)).level >= before
