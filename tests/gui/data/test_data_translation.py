"""The Data page in Chinese and back: the grid, the sidebar, the doctor and the image viewer retranslate
at runtime, and engine codes (finding kinds, severities, data warnings, doctor stages) have their texts.
"""

from __future__ import annotations

import re

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from engine.doctor.findings import KINDS, SEVERITIES
from engine.project.schema import ImageEntry
from engine.project.store import Project
from gui import i18n
from gui.data.data_warnings import warning_texts
from gui.data.doctor_model import KIND_TITLES, SEVERITY_TITLES
from gui.data.instant_head import SETTING
from gui.i18n_catalog import compile_catalogue

CJK = re.compile(r"[\u4e00-\u9fff]")
DISPLAY, TOOLTIP = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole


@pytest.fixture
def chinese(tmp_path):
    """The shipped Chinese catalogue compiled into a private folder; English again afterwards."""
    folder = tmp_path / "qm"
    folder.mkdir()
    compile_catalogue("zh_CN", out=folder)
    yield folder
    i18n.install_language(i18n.ENGLISH, remember=False)


def _shown(page, viewer) -> dict[str, str]:
    """Texts of every part of the Data page that has its own words (not the user's names)."""
    browser, sidebar, doctor = page.browser, page.sidebar, page.doctor
    model, classes, findings = browser.model, sidebar.model, doctor.model
    return {
        "doctor button": browser.doctor_button.text(), "search": browser.search.placeholderText(),
        "sort": browser.sort.itemText(1), "grid title": browser.title.text(),
        "image count": browser.count_label.text(), "head status": browser.head_status.text(),
        "image tooltip": model.index(0).data(TOOLTIP), "filter row": classes.index(0).data(DISPLAY),
        "class tooltip": classes.index(classes.class_row("ants")).data(TOOLTIP),
        "sidebar title": sidebar.title.text(), "data warning": sidebar.warnings.messages[0],
        "doctor title": doctor.title.text(), "doctor summary": doctor.summary.text(),
        "doctor keys": doctor.hint.text(), "examine": doctor.examine_button.text(),
        "finding group": findings.index(0).data(findings.GroupRole),
        "finding fix": findings.index(0).data(DISPLAY).splitlines()[1],
        "viewer caption": viewer.captions["File size"].text(), "viewer split": viewer.fields["Split"].text(),
        "viewer status": viewer.fields["Status"].text(), "viewer size": viewer.fields["File size"].text(),
        "viewer tool": viewer.tools[0][0].toolTip(), "viewer labels": viewer.label_title.text(),
    }


def test_data_page_doctor_and_viewer_switch_to_chinese_and_back(window, doctor_project, fast_features,
                                                                chinese, qtbot):
    QSettings().setValue(SETTING, True)  # the instant head's line too
    assert window.state.open_project(doctor_project)
    page = window.data_page
    qtbot.waitUntil(lambda: page.head.rounds >= 1 and not page.head.running, timeout=20_000)
    page.show_doctor()  # examines at once the first time
    qtbot.waitUntil(lambda: not page.doctor.busy and page.doctor.model.scanned > 0, timeout=20_000)
    page.show_images()
    viewer = page.open_viewer(0)
    qtbot.waitUntil(lambda: viewer.stack.currentWidget() is viewer.view, timeout=30_000)
    english = _shown(page, viewer)
    assert english["examine"] == "Examine again" and english["finding group"].startswith("Train/validation")
    assert not [k for k, text in english.items() if CJK.search(text)]

    assert i18n.install_language("zh_CN", folder=chinese, remember=False)
    QApplication.processEvents()  # Qt posts the change to the windows
    chinese_texts = _shown(page, viewer)
    assert not {k: text for k, text in chinese_texts.items() if not CJK.search(text)}
    assert chinese_texts["examine"] == "重新检查" and chinese_texts["viewer caption"] == "文件大小"
    page.doctor.view.grab()  # the delegates paint their Chinese texts
    page.browser.view.grab()

    assert i18n.install_language(i18n.ENGLISH, remember=False)
    QApplication.processEvents()
    assert _shown(page, viewer) == english
    viewer.close()


def test_every_engine_code_shown_on_the_data_page_has_a_text():
    from engine.doctor.examine import EMBEDDING
    from engine.doctor.pixels import CHECKING_PIXELS
    from gui.data.doctor_view import ENGINE_STAGES

    assert set(KIND_TITLES) == set(KINDS) and set(SEVERITY_TITLES) == set(SEVERITIES)
    assert set(ENGINE_STAGES) == {EMBEDDING, CHECKING_PIXELS}


def test_data_warnings_in_english_are_the_engine_messages(tmp_path):
    project = Project.create(tmp_path / "p")
    assert warning_texts(project, project.warnings()) == [w.message for w in project.warnings()]
    entries = [ImageEntry(str(tmp_path / f"a{i}.png"), "ants") for i in range(25)]
    entries += [ImageEntry(str(tmp_path / "b0.png"), "bees"), ImageEntry(str(tmp_path / "c0.png"), "cats")]
    entries += [ImageEntry(str(tmp_path / f"c{i}.png"), "cats") for i in range(1, 3)]
    entries += [ImageEntry(str(tmp_path / "u0.png")), ImageEntry(str(tmp_path / "x0.png"), broken="bad")]
    project.add_images(entries, ["ants", "bees", "cats", "wasps"])
    warnings = project.warnings()
    assert {w.kind for w in warnings} == {"too_few", "imbalance", "unlabeled", "broken"}
    assert len([w for w in warnings if w.kind == "too_few"]) == 3  # bees (1 image), cats, wasps (none)
    assert warning_texts(project, warnings) == [w.message for w in warnings]
    one_class = Project.create(tmp_path / "q")
    one_class.add_images([ImageEntry(str(tmp_path / "a0.png"), "ants")], ["ants"])
    assert warning_texts(one_class, one_class.warnings()) == [w.message for w in one_class.warnings()]
    assert "need_classes" in {w.kind for w in one_class.warnings()}
