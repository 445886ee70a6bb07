"""File ▸ Import Backbone Weights…: file dialog, backbone choice, check off the GUI thread, clear outcome."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QFileDialog, QInputDialog

from gui.window.weights_import import WeightsImportFlow, guess_backbone

NAMES = ["efficientnet_lite0", "resnet18", "resnet50", "squeezenet1_1"]


@pytest.fixture
def choose(monkeypatch, tmp_path):
    """The file dialog returns ``tmp_path/<file>``; the backbone dialog returns the offered guess."""
    offered: list[tuple[list[str], int]] = []

    def pick(file_name: str) -> str:
        path = str(tmp_path / file_name)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (path, "")))
        return path

    def get_item(_parent, _title, _label, items, current, _editable):
        offered.append((list(items), current))
        return items[current], True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))
    pick.offered = offered
    return pick


def test_the_file_menu_offers_the_import(window):
    action = window.main_actions.import_weights
    file_menu = window.menuBar().actions()[0].menu()
    assert action in file_menu.actions()
    assert isinstance(window.weights_import, WeightsImportFlow)


def test_import_runs_off_the_gui_thread_and_reports_success(qtbot, window, choose, dialogs):
    threads = []

    def fake_import(path, name):
        threads.append(threading.current_thread())
        return f"/cache/{name}.safetensors"

    flow = WeightsImportFlow(window, names_fn=lambda: NAMES, import_fn=fake_import)
    path = choose("resnet18-f37072fd.pth")
    with qtbot.waitSignal(flow.imported, timeout=10_000) as done:
        flow.ask()
    assert done.args == ["/cache/resnet18.safetensors"]
    assert choose.offered == [(NAMES, 1)]  # guessed from the file name
    assert threads and threads[0] is not threading.main_thread()
    assert dialogs.count("information") == 1 and path in dialogs.texts()[0]
    qtbot.waitUntil(lambda: not flow.is_running(), timeout=5_000)


def test_a_refused_file_gives_one_clear_error(qtbot, window, choose, dialogs):
    from engine.errors import WeightsError

    def refuse(path, name):
        raise WeightsError(f"{path}: refused: it holds Python objects besides tensors")

    flow = WeightsImportFlow(window, names_fn=lambda: NAMES, import_fn=refuse)
    path = choose("<b>evil</b>.pth")
    with qtbot.waitSignal(flow.failed, timeout=10_000):
        flow.ask()
    assert dialogs.count("warning") == 1
    text = dialogs.texts()[0]
    assert "&lt;b&gt;evil&lt;/b&gt;.pth" in text and "Nothing was imported" in text  # shown literally
    assert path.endswith("<b>evil</b>.pth")
    qtbot.waitUntil(lambda: not flow.is_running(), timeout=5_000)


def test_cancelling_the_file_dialog_does_nothing(qtbot, window, dialogs, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    flow = WeightsImportFlow(window, names_fn=lambda: NAMES, import_fn=lambda p, n: p)
    flow.ask()
    assert not flow.is_running() and dialogs.count() == 0


def test_guess_prefers_the_longest_name():
    assert guess_backbone("resnet50-11ad3fa6.pth", NAMES) == 2
    assert guess_backbone("my_weights.safetensors", NAMES) == 0


@pytest.mark.slow  # imports torch in the worker and builds the network: about 12 s on a busy 2-core machine
def test_real_import_through_the_menu(qtbot, window, choose, dialogs, tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file
    from torchvision.models import get_model

    from engine.models import weights

    monkeypatch.setattr(torch.hub, "_hub_dir", str(tmp_path / "hub"))
    path = choose("squeezenet1_1.safetensors")
    save_file(get_model("squeezenet1_1", weights=None).state_dict(), path)
    with qtbot.waitSignal(window.weights_import.imported, timeout=60_000) as done:
        window.main_actions.import_weights.trigger()
    assert weights.imported_weights_path("squeezenet1_1") == type(tmp_path)(done.args[0])
    assert dialogs.count("information") == 1
    qtbot.waitUntil(lambda: not window.weights_import.is_running(), timeout=5_000)
