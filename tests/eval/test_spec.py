"""Eval specs: the built-in ones load, lm-eval's shape is accepted, mistakes name file and fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from domainsft.eval.spec import builtin_specs, load_spec
from domainsft.utils.jsonl import InputError


def test_builtin_specs_load_with_their_suites():
    specs = {name: load_spec(name) for name in builtin_specs()}
    assert set(specs) == {"test", "tatqa_dev", "erc_round2", "general"}
    assert specs["test"].suite == "dataset" and specs["test"].data == Path(
        "runs/demo/dataset/test.jsonl"
    )
    assert specs["erc_round2"].mode == "erc" and specs["erc_round2"].options == {"top_k": 3}
    assert specs["general"].suite == "general" and "perplexity" in specs["general"].metrics
    assert all(s.temperature == 0.0 and s.max_new_tokens > 0 for s in specs.values())


def test_builtin_specs_are_lm_eval_shaped():
    """lm-eval's TaskConfig takes every top-level key; ours sit under metadata.domainsft."""
    for path in builtin_specs().values():
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert raw["output_type"] == "generate_until"
        assert raw["task"].startswith("domainsft_")
        assert all("metric" in m and "aggregation" in m for m in raw["metric_list"])
        assert set(raw["metadata"]) <= {"version", "domainsft"}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "task.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_spec_from_a_user_file(tmp_path):
    data = tmp_path / "qa.jsonl"
    data.write_text("", encoding="utf-8")
    spec = load_spec(
        _write(
            tmp_path,
            "task: my_qa\ndataset_path: json\ndataset_kwargs:\n  data_files:\n    test: qa.jsonl\n"
            "process_results: !function utils.process_results\n"
            "generation_kwargs: {until: ['</s>'], max_gen_toks: 64, do_sample: true, "
            "temperature: 0.7}\nmetric_list:\n  - metric: exact_match\n",
        )
    )
    assert spec.name == "my_qa" and spec.data == data and spec.metrics == ["exact_match"]
    assert spec.until == ["</s>"] and spec.max_new_tokens == 64 and spec.temperature == 0.7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("task: t\nmetric_lst: []\n", r"task.yaml: unknown key `metric_lst`; did you mean"),
        ("task: t\nmetadata: {domainsft: {suit: x}}\n", r"`metadata.domainsft.suit`; did you mean"),
        ("task: t\noutput_type: loglikelihood\n", r"use `output_type: generate_until`"),
        ("dataset_path: json\n", r"no `task:` name"),
        ("task: t\nmetric_list: [{aggregation: mean}]\n", r"entries are `- metric: NAME`"),
        ("task: [unclosed\n", r"task.yaml:\d+: not valid YAML"),
    ],
)  # fmt: skip
def test_bad_specs_name_the_file_and_the_fix(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        load_spec(_write(tmp_path, text))


def test_unknown_task_suggests_a_builtin():
    with pytest.raises(InputError, match=r"no such eval spec. Did you mean `tatqa_dev`"):
        load_spec("tatqa_dve")


def test_non_utf8_spec(tmp_path):
    path = tmp_path / "task.yaml"
    path.write_bytes("task: 测试\n".encode("gbk"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_spec(path)
