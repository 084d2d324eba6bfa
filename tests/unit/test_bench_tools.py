"""The benchmark's own logic (bench/): statistics, targets, the results schema, the doc markers.

Nothing here is timed and no server is started.
"""

import itertools
import json
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import benchlib  # noqa: E402
import report  # noqa: E402
import workload  # noqa: E402


@pytest.mark.parametrize("values", [[5.0], [3.0, 1.0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], list(range(301, 0, -3))])
@pytest.mark.parametrize("q", [0, 50, 95, 99, 100])
def test_percentile_matches_numpy_linear(values, q):
    assert benchlib.percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_percentile_edges():
    assert benchlib.percentile([], 50) is None
    with pytest.raises(ValueError):
        benchlib.percentile([1, 2], 101)


def test_summarize_ms_converts_seconds():
    summary = benchlib.summarize_ms([0.010, 0.020, 0.030, 0.040])
    assert summary["n"] == 4
    assert summary["p50_ms"] == 25.0
    assert summary["mean_ms"] == 25.0
    assert summary["max_ms"] == 40.0
    assert benchlib.summarize_ms([])["p95_ms"] is None


def test_ratio():
    assert benchlib.ratio(30, 40) == 0.75
    assert benchlib.ratio(None, 40) is None
    assert benchlib.ratio(30, 0) is None


def bot(p95=None, tput=None, rss=None, start=None, train=None):
    return {
        "latency_1_user": {"p95_ms": p95},
        "concurrency": {"20": {"throughput_msg_s": tput}},
        "memory": {"after_warmup_mb": {"total": rss}},
        "start_to_ready": {"rasa_server_median_s": start},
        "training": {"wall_s": train},
    }


def test_targets_met_and_not_met_at_the_bounds():
    rows = {
        r["id"]: r
        for r in report.evaluate_targets(
            bot(p95=36, tput=60, rss=1000, start=20, train=299.9), bot(p95=45, tput=40, rss=1000, start=19, train=45)
        )
    }
    assert rows["latency_p95_1_user"]["ratio"] == 0.8 and rows["latency_p95_1_user"]["met"] is True
    assert rows["throughput_20"]["ratio"] == 1.5 and rows["throughput_20"]["met"] is True
    assert rows["rss"]["ratio"] == 1.0 and rows["rss"]["met"] is False
    assert rows["start_to_ready"]["met"] is False
    assert rows["training"]["met"] is True


def test_targets_missing_figures_are_not_judged():
    rows = report.evaluate_targets(bot(), bot(p95=45))
    assert all(r["met"] is None for r in rows)


def test_throughput_lower_than_stock_is_not_met():
    rows = {r["id"]: r for r in report.evaluate_targets(bot(tput=59.9), bot(tput=40))}
    assert rows["throughput_20"]["met"] is False


def minimal_results():
    ally, stock = bot(p95=30, tput=70, rss=800, start=15, train=200), bot(p95=45, tput=40, rss=1300, start=20, train=60)
    for b in (ally, stock):
        b.update({"model": {"which": "x"}, "cpu_per_message_ms": {}})
        b["latency_1_user"].update({"n": 300, "p50_ms": 20, "p99_ms": 50})
    return {
        "schema_version": report.SCHEMA_VERSION,
        "date": "2026-11-29T10:00:00+00:00",
        "machine": {"cpu_count": 2, "cpu_model": "test cpu"},
        "rasa_version": "3.6.21",
        "ally": ally,
        "stock": stock,
        "targets": report.evaluate_targets(ally, stock),
        "nlu_quality": {"available": False, "source": "none"},
        "load_average": {"overall": {"mean": 3.0, "max": 4.0}},
        "settings": {"concurrency_levels": [20, 100]},
    }


def test_results_schema_validation():
    results = minimal_results()
    assert report.validate_results(results) == []
    del results["nlu_quality"]
    del results["ally"]["memory"]
    results["schema_version"] = 0
    problems = report.validate_results(results)
    assert "missing key: nlu_quality" in problems
    assert "ally: missing key: memory" in problems
    assert any("schema_version" in p for p in problems)


def test_render_bench_marks_every_target():
    text = report.render_bench(minimal_results())
    assert text.count("**met**") == 5
    assert "| p95 round trip, 1 user | 30 ms | 45 ms | 0.67x | <= 0.8x stock | **met** |" in text


def test_replace_block_keeps_the_rest_of_the_document():
    doc = "# Title\n\nintro\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\noutro\n"
    new = report.replace_block(doc, "bench", "new table")
    assert new == "# Title\n\nintro\n<!-- bench:start -->\nnew table\n<!-- bench:end -->\n\noutro\n"
    assert report.replace_block(new, "bench", "new table") == new  # idempotent
    appended = report.replace_block("# Title\n", "profile", "p")
    assert appended.endswith("<!-- profile:start -->\np\n<!-- profile:end -->\n")


def test_replace_block_body_with_backslashes_is_literal():
    new = report.replace_block("<!-- x:start -->\n<!-- x:end -->", "x", r"a \1 b")
    assert r"a \1 b" in new


def test_nlu_quality_reads_macro_f1_and_risk_recall(tmp_path):
    (tmp_path / "results" / "nlu-cv").mkdir(parents=True)
    (tmp_path / "tests").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "scenarios.yml").write_text(
        "intents: {sextortion: {group: risk}, self_harm: {group: risk}, greet: {group: conversation}}\n"
    )
    (tmp_path / "docs" / "nlu-quality.md").write_text("Written by `make evaluate` (2026-11-28): ...")
    intent_report = {
        "sextortion": {"precision": 0.9, "recall": 0.95, "f1-score": 0.92, "support": 70},
        "self_harm": {"precision": 0.8, "recall": 0.8512, "f1-score": 0.83, "support": 70},
        "greet": {"precision": 1, "recall": 1, "f1-score": 1, "support": 30},
        "accuracy": 0.9,
        "macro avg": {"precision": 0.9, "recall": 0.9, "f1-score": 0.9123, "support": 170},
    }
    (tmp_path / "results" / "nlu-cv" / "intent_report.json").write_text(json.dumps(intent_report))
    quality = report.nlu_quality(tmp_path)
    assert quality["macro_f1"] == 0.912
    assert quality["risk_recall"] == {"sextortion": 0.95, "self_harm": 0.851}
    assert quality["lowest_risk_recall"] == {"intent": "self_harm", "recall": 0.851}
    assert quality["doc_date"] == "2026-11-28"
    assert quality["inputs_changed_since"] == []


def test_nlu_quality_missing_report(tmp_path):
    (tmp_path / "scenarios.yml").write_text("intents: {sextortion: {group: risk}}\n")
    assert report.nlu_quality(tmp_path)["available"] is False


def test_summarize_load_per_phase():
    summary = benchlib.summarize_load([(0, "a", 1.0), (1, "a", 3.0), (2, "b", 5.0)])
    assert summary["overall"] == {"mean": 3.0, "max": 5.0, "samples": 3}
    assert summary["phases"]["a"] == {"mean": 2.0, "max": 3.0, "samples": 2}


@pytest.mark.parametrize("name", ["ally", "stock"])
def test_message_stream_gives_short_conversations(name):
    pairs = list(itertools.islice(workload.message_stream(name, "t"), 20))
    senders = [sender for sender, _ in pairs]
    assert len(set(senders)) == 20 // workload.TURNS_PER_CONVERSATION
    assert all(senders.count(s) == workload.TURNS_PER_CONVERSATION for s in set(senders))
    for sender, body in pairs:
        assert body["sender"] == sender and body["message"].strip()
        assert ("metadata" in body) == (name == "ally")
    conversations = workload.ALLY_CONVERSATIONS + workload.STOCK_CONVERSATIONS
    assert all(len(c) == workload.TURNS_PER_CONVERSATION for c in conversations)


def test_process_tree_memory_and_cpu_of_this_process():
    import os

    assert benchlib.rss_bytes(os.getpid()) > 10 * 2**20
    assert benchlib.cpu_seconds(os.getpid()) > 0
    assert os.getpid() in benchlib.process_tree(os.getpid())
    assert benchlib.rss_bytes(2**22 + 12345) == 0  # no such process


def component(node, stage, name, wall, cpu, calls=1.0, hint=""):
    return {
        "node": node,
        "stage": stage,
        "component": name,
        "hint": hint,
        "calls_per_message": calls,
        "wall_ms": wall,
        "cpu_ms": cpu,
    }


def test_render_profile_lines_up_components_of_both_bots():
    ally = {
        "components": [
            component("run_DIET5", "nlu", "DIETClassifier", 7.0, 6.0, hint="1 layer"),
            component("run_CVF1", "nlu", "CountVectorsFeaturizer", 0.4, 0.3, hint="words"),
            component("run_CVF2", "nlu", "CountVectorsFeaturizer", 0.5, 0.4, hint="char_wb 2-4"),
            component("run_RulePolicy0", "core", "RulePolicy", 3.0, 2.0, calls=2.5),
        ],
        "graph_runs": {},
        "actions": {"action_x": {"calls_per_message": 1.0, "wall_ms": 4.0, "cpu_ms": 1.0}},
        "stores_and_http": {},
        "per_message": {
            "wall_mean_ms": 20.0,
            "cpu_mean_ms": 15.0,
            "rest_of_rasa_wall_ms": 1.0,
            "rest_of_rasa_cpu_ms": 1.0,
        },
    }
    stock = {
        "components": [
            component("run_CVF3", "nlu", "CountVectorsFeaturizer", 0.3, 0.3, hint="words"),
            component("run_CVF4", "nlu", "CountVectorsFeaturizer", 0.3, 0.3, hint="char_wb 1-4"),
            component("run_DIET5", "nlu", "DIETClassifier", 8.0, 7.0, hint="2 layers"),
            component("run_TED", "core", "TEDPolicy", 20.0, 10.0, calls=2.0),
        ],
        "graph_runs": {},
        "actions": {},
        "stores_and_http": {},
        "per_message": {
            "wall_mean_ms": 40.0,
            "cpu_mean_ms": 30.0,
            "rest_of_rasa_wall_ms": 1.0,
            "rest_of_rasa_cpu_ms": 1.0,
        },
    }
    text = report.render_profile({"ally": ally, "stock": stock, "date": "d", "messages": 10})
    assert "| NLU | DIETClassifier (Ally: 1 layer; stock: 2 layers) | 7.00 | 6.00 | 8.00 | 7.00 |" in text
    assert "| NLU | CountVectorsFeaturizer (words) | 0.40 | 0.30 | 0.30 | 0.30 |" in text
    assert "CountVectorsFeaturizer (Ally: char_wb 2-4; stock: char_wb 1-4) | 0.50 | 0.40 | 0.30 | 0.30 |" in text
    assert "| policies | RulePolicy | 3.00 ×2.5 | 2.00 | – | – |" in text
    assert "| policies | TEDPolicy | – | – | 20.00 ×2 | 10.00 |" in text
    assert "`action_x` (action server round trip) | 4.00 | 1.00 | – | – |" in text
    lines = text.splitlines()
    assert lines.index(next(row for row in lines if "TEDPolicy" in row)) > lines.index(
        next(row for row in lines if "(words)" in row)
    )  # NLU rows first


def test_render_experiment_names_the_extra_environment():
    results = minimal_results()
    results["settings"].update(ally_extra_env={"TF_NUM_INTEROP_THREADS": "1", "PYTHONPATH": "/x"})
    text = report.render_experiment(results)
    assert "`TF_NUM_INTEROP_THREADS=1`" in text and "PYTHONPATH" not in text
    assert "full training" not in text  # an experiment trains nothing
    assert text.count("**met**") == 4


def test_the_copy_of_ally_the_bench_trains_holds_every_training_input():
    """The bench trains a copy of the project: a file it leaves out (scenarios.yml, locales/) fails its training."""
    import re

    import training

    from ally.locales import LOCALES_DIR
    from ally.scenarios import REGISTRY_PATH

    root = BENCH.parent
    makefile = (root / "Makefile").read_text()
    inputs = re.search(r"^TRAIN_INPUTS := (.*?)(?<!\\)$", makefile, re.M | re.S).group(1)
    names = {w.split("/")[0] for w in re.findall(r"[\w.-]+(?:/[\w.*-]+)*", inputs.replace("$(wildcard", ""))}
    names -= {"SPACY_DIR", "meta.json"}
    names |= {LOCALES_DIR.name, REGISTRY_PATH.name}
    copied = set(training.ALLY_FILES) | {d.split("/")[0] for d in training.ALLY_DIRS}
    assert names <= copied, names - copied
