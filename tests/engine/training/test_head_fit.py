"""The fused (scripted) head epoch trains exactly as the eager step-by-step loop does."""

import copy

import pytest
import torch
from torch import nn

import engine.training.head_fit as head_fit
from engine.training.step import NonFiniteLossError, Precision

CPU = Precision.for_device(torch.device("cpu"), amp=False)


def _head(seed=0, features=24, classes=3):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Dropout(0.3), nn.Linear(features, classes))


def _data(n=50, features=24, classes=3):
    g = torch.Generator().manual_seed(1)
    return torch.randn(n, features, generator=g), torch.randint(0, classes, (n,), generator=g)


def _train(head, make_optimizer, criterion, epochs, fused, monkeypatch):
    if not fused:
        monkeypatch.setattr(head_fit, "_plan", lambda *a: None)
    optimizer = make_optimizer(head.parameters())
    generator = torch.Generator().manual_seed(7)
    torch.manual_seed(3)  # dropout draws
    results = [
        head_fit.train_head_epoch(head, _data(), optimizer, criterion, CPU, 8, generator, lambda s: None)
        for _ in range(epochs)
    ]
    monkeypatch.undo()
    return results, optimizer


OPTIMIZERS = {
    "adamw": lambda p: torch.optim.AdamW(p, lr=3e-2, weight_decay=1e-2),
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3),
    "sgd-no-momentum": lambda p: torch.optim.SGD(p, lr=0.1),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_fused_epochs_give_the_eager_weights_losses_and_optimizer_state(name, monkeypatch):
    assert head_fit._scripted() is not None
    criterion = nn.CrossEntropyLoss(weight=torch.tensor([1.5, 0.5, 1.0]))
    eager_head, fused_head = _head(), _head()
    eager, eager_opt = _train(eager_head, OPTIMIZERS[name], criterion, 3, False, monkeypatch)
    fused, fused_opt = _train(fused_head, OPTIMIZERS[name], criterion, 3, True, monkeypatch)
    for a, b in zip(eager_head.parameters(), fused_head.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    assert not torch.equal(eager_head[1].weight, _head()[1].weight)  # it did learn
    for (loss_a, acc_a, _), (loss_b, acc_b, _) in zip(eager, fused, strict=True):
        assert loss_a == pytest.approx(loss_b, rel=1e-5) and acc_a == acc_b
    state_a, state_b = eager_opt.state_dict()["state"], fused_opt.state_dict()["state"]
    assert state_a.keys() == state_b.keys()
    for key in state_a:
        assert state_a[key].keys() == state_b[key].keys()
        for field in state_a[key]:
            torch.testing.assert_close(state_a[key][field], state_b[key][field], rtol=1e-5, atol=1e-6)


def test_a_head_or_optimizer_it_does_not_cover_falls_back_to_the_eager_loop():
    amsgrad = torch.optim.AdamW(_head().parameters(), amsgrad=True)
    assert head_fit._plan(_head(), amsgrad, CPU) is None
    deeper = nn.Sequential(nn.Linear(24, 8), nn.ReLU(), nn.Linear(8, 3))
    assert head_fit._plan(deeper, torch.optim.AdamW(deeper.parameters()), CPU) is None
    head = _head()
    assert head_fit._plan(head, torch.optim.AdamW(head.parameters()), CPU) is not None
    x, y = _data()
    loss, acc, rate = head_fit.train_head_epoch(
        deeper, (x, y), torch.optim.AdamW(deeper.parameters()), nn.CrossEntropyLoss(), CPU, 8,
        torch.Generator().manual_seed(0), lambda s: None,
    )  # fmt: skip
    assert loss > 0 and 0 <= acc <= 1 and rate > 0


def test_a_non_finite_loss_stops_before_the_update(monkeypatch):
    head = _head()
    x, y = _data()
    x[:] = float("nan")
    optimizer = torch.optim.AdamW(head.parameters())
    before = copy.deepcopy(head.state_dict())
    with pytest.raises(NonFiniteLossError, match="NaN"):
        head_fit.train_head_epoch(
            head, (x, y), optimizer, nn.CrossEntropyLoss(), CPU, 8, torch.Generator(), lambda s: None
        )
    for key, value in head.state_dict().items():
        assert torch.equal(value, before[key])


def test_cancel_and_pause_are_checked_between_scripted_calls(monkeypatch):
    monkeypatch.setattr(head_fit, "VALUES_PER_CALL", 24 * 16)  # 16 rows (two batches) per call
    head = _head()
    seen = []
    head_fit.train_head_epoch(
        head, _data(), torch.optim.AdamW(head.parameters()), nn.CrossEntropyLoss(), CPU, 8,
        torch.Generator(), seen.append,
    )  # fmt: skip
    assert seen == [0, 2, 4, 6]  # 50 rows: calls start at steps 0, 2, 4 and 6


def test_small_head_work_runs_on_one_thread_and_the_count_is_restored():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with head_fit.threads_for(64 * 1280 * 2):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with head_fit.threads_for(head_fit.SMALL_WORK_MACS):
            assert torch.get_num_threads() == 2  # large enough to gain from threads
    finally:
        torch.set_num_threads(before)
