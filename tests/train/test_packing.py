import pytest
import torch

from domainsft.models import load_model
from domainsft.train.attention import PACKED, set_attention
from domainsft.train.data import read_conversations, tokenize
from domainsft.train.loss import per_example_loss, token_losses
from domainsft.train.packing import pack, packed_batch, padded_batch
from tests.train.conftest import conversation, write_rows


def test_pack_fills_rows_and_is_deterministic():
    lengths = [300, 120, 80, 500, 60, 40, 200, 10]
    rows = pack(lengths, 512)
    assert sorted(i for r in rows for i in r) == list(range(len(lengths)))
    assert all(sum(lengths[i] for i in r) <= 512 for r in rows)
    assert len(rows) == 3  # 1310 tokens need at least 3 rows of 512
    assert pack(lengths, 512) == rows
    with pytest.raises(ValueError, match="more than a row holds"):
        pack([600], 512)


def test_position_ids_restart_and_segments_cover_the_row(tiny_model, tmp_path):
    _, tok = load_model(str(tiny_model))
    convs = read_conversations(
        write_rows(tmp_path / "d.jsonl", [conversation(i) for i in range(3)])
    )
    examples, _ = tokenize(tok, convs, max_length=256)
    batch = packed_batch(examples, [0, 1, 2])
    lengths = [len(e.input_ids) for e in examples]
    assert batch.cu_seq_lens.tolist() == [0, lengths[0], lengths[0] + lengths[1], sum(lengths)]
    starts = (batch.position_ids[0] == 0).nonzero().squeeze(1).tolist()
    assert starts == batch.cu_seq_lens[:-1].tolist()
    # the last token of an example never predicts the first token of the next one
    for end in batch.cu_seq_lens[1:].tolist():
        assert batch.targets[0, end - 1] == -100


def test_per_example_loss_with_packing_equals_loss_without(tiny_model, tmp_path):
    """fp32, within 1e-4: packing changes neither positions nor what each token attends to."""
    model, tok = load_model(str(tiny_model))
    rows = [conversation(i, "zh" if i % 2 else "en") for i in range(7)]
    rows[3]["messages"][1]["content"] += " Please be precise." * 20  # unequal lengths
    examples, _ = tokenize(
        tok, read_conversations(write_rows(tmp_path / "d.jsonl", rows)), max_length=512
    )
    with torch.no_grad():
        alone = [
            per_example_loss(model, padded_batch(examples, [i], tok.pad_token_id))[0]
            for i in range(7)
        ]
        padded = per_example_loss(model, padded_batch(examples, list(range(7)), tok.pad_token_id))
        set_attention(model, PACKED)
        packed = {}
        for row in pack([len(e.input_ids) for e in examples], 400):
            assert len(row) > 1 or len(examples[row[0]].input_ids) > 200
            packed |= dict(
                zip(row, per_example_loss(model, packed_batch(examples, row)), strict=True)
            )
    assert max(len(r) for r in pack([len(e.input_ids) for e in examples], 400)) >= 3
    for i in range(7):
        assert packed[i] == pytest.approx(alone[i], abs=1e-4)
        assert padded[i] == pytest.approx(alone[i], abs=1e-4)
    # control: the same row treated as one sequence (attention crosses examples) differs
    row = max(pack([len(e.input_ids) for e in examples], 400), key=len)
    batch = packed_batch(examples, row)
    total = batch.cu_seq_lens[-1:]
    batch.cu_seq_lens = torch.cat([batch.cu_seq_lens[:1], total])
    batch.position_ids = torch.arange(int(total)).unsqueeze(0)
    with torch.no_grad():
        losses, where = token_losses(model, batch)
    second = sum(len(examples[i].input_ids) for i in row[:1])
    leaky = float(losses[where[:, 1] >= second].mean())
    clean = sum(packed[i] * examples[i].n_supervised for i in row[1:]) / sum(
        examples[i].n_supervised for i in row[1:]
    )
    assert abs(leaky - clean) > 1e-3


def test_gradients_with_packing_equal_gradients_without(tiny_model, tmp_path):
    from domainsft.train.loss import loss_sum

    model, tok = load_model(str(tiny_model))
    examples, _ = tokenize(
        tok,
        read_conversations(write_rows(tmp_path / "d.jsonl", [conversation(i) for i in range(3)])),
        max_length=256,
    )
    loss_sum(model, padded_batch(examples, [0, 1, 2], tok.pad_token_id)).backward()
    ref = {n: p.grad.clone() for n, p in model.named_parameters()}
    model.zero_grad()
    set_attention(model, PACKED)
    loss_sum(model, packed_batch(examples, [0, 1, 2])).backward()
    for n, p in model.named_parameters():
        torch.testing.assert_close(p.grad, ref[n], atol=1e-4, rtol=1e-3)
