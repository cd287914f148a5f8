"""One chat template for training, evaluation and serving: the same conversation, the same ids."""

from domainsft.models import encode_chat, load_tokenizer
from domainsft.models.generation import encode_prompt
from domainsft.train.data import read_conversations, tokenize
from tests.train.conftest import conversation, write_rows


def test_training_evaluation_and_serving_see_the_same_token_ids(tiny_model, tmp_path):
    tok = load_tokenizer(str(tiny_model))
    conv = conversation(7, "zh")
    prompt = conv["messages"][:-1]
    [ex], _ = tokenize(
        tok, read_conversations(write_rows(tmp_path / "d.jsonl", [conv])), max_length=512
    )
    first_supervised = next(t for t, target in enumerate(ex.targets) if target != -100) + 1
    trained_prompt = ex.input_ids[:first_supervised]  # what the model saw before its answer
    evaluated = encode_prompt(tok, prompt)  # the eval runner's path (generation)
    served = encode_chat(tok, prompt, add_generation_prompt=True)  # the server's path
    assert trained_prompt == evaluated == served
    # and the trained answer is exactly what serving would append after that prompt
    answer_ids = encode_chat(tok, conv["messages"], add_generation_prompt=False)
    assert ex.input_ids == answer_ids
