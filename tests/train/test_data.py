import pytest

from domainsft.models import IGNORE_INDEX, load_tokenizer
from domainsft.train.data import read_conversations, tokenize
from domainsft.utils.jsonl import InputError
from tests.train.conftest import conversation, write_rows


@pytest.fixture(scope="module")
def tok(tiny_model):
    return load_tokenizer(str(tiny_model))


def test_only_assistant_tokens_are_supervised(tok, tmp_path):
    convs = read_conversations(write_rows(tmp_path / "d.jsonl", [conversation(3)]))
    [ex], report = tokenize(tok, convs, max_length=512)
    supervised = [t for t in ex.targets if t != IGNORE_INDEX]
    text = tok.decode(supervised)
    answer = convs[0].messages[-1]["content"]
    assert text.startswith(answer)
    assert text[len(answer) :] in {"<|im_end|>", "<|endoftext|>"}  # the end-of-turn token, no more
    assert report.supervised == len(supervised) and report.kept == 1
    # targets are the next token: each supervised target equals the following input id
    for t, target in enumerate(ex.targets):
        if target != IGNORE_INDEX:
            assert target == ex.input_ids[t + 1]


def test_train_on_prompt_supervises_everything(tok, tmp_path):
    convs = read_conversations(write_rows(tmp_path / "d.jsonl", [conversation(3)]))
    [ex], _ = tokenize(tok, convs, max_length=512, train_on_prompt=True)
    assert ex.n_supervised == len(ex.input_ids) - 1


def test_no_assistant_turn_is_an_error_naming_the_line(tok, tmp_path):
    rows = [conversation(1), {"messages": [{"role": "user", "content": "hi"}]}]
    convs = read_conversations(write_rows(tmp_path / "d.jsonl", rows))
    with pytest.raises(InputError, match=r"d\.jsonl:2: no assistant tokens.*on_bad_example=drop"):
        tokenize(tok, convs, max_length=512)
    kept, report = tokenize(tok, convs, max_length=512, on_bad="drop")
    assert len(kept) == 1 and report.dropped == {"no assistant tokens to learn from": 1}


def test_truncated_answer_is_an_error_or_dropped_and_counted(tok, tmp_path):
    long = conversation(2)
    long["messages"][1]["content"] = "Context: " + "revenue grew " * 200
    convs = read_conversations(write_rows(tmp_path / "d.jsonl", [conversation(1), long]))
    with pytest.raises(InputError, match=r"d\.jsonl:2: answer cut by truncation.*max_length"):
        tokenize(tok, convs, max_length=128)
    kept, report = tokenize(tok, convs, max_length=128, on_bad="drop")
    assert len(kept) == 1 and report.dropped["answer cut by truncation"] == 1
    assert report.as_dict()["dropped_examples"][0].endswith("d.jsonl:2: answer cut by truncation")


def test_alpaca_and_sharegpt_lines_read_as_chat(tmp_path):
    rows = [
        {"instruction": "Add", "input": "2 and 3", "output": "5"},
        {"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]},
    ]
    a, s = read_conversations(write_rows(tmp_path / "d.jsonl", rows))
    assert a.messages == [
        {"role": "user", "content": "Add\n\n2 and 3"},
        {"role": "assistant", "content": "5"},
    ]
    assert s.messages[-1] == {"role": "assistant", "content": "hello"}


@pytest.mark.parametrize(
    "content, match",
    [
        (b'{"messages": [}\n', r"d\.jsonl:1: invalid JSON"),
        (b'{"text": "x"}\n', r"d\.jsonl:1: no conversation found"),
        (b"\xff\xfe\n", r"d\.jsonl:1: not UTF-8"),
        (b"\n\n", r"d\.jsonl: the dataset is empty"),
    ],
)
def test_bad_files_name_file_and_line(tmp_path, content, match):
    (tmp_path / "d.jsonl").write_bytes(content)
    with pytest.raises(InputError, match=match):
        read_conversations(tmp_path / "d.jsonl")
