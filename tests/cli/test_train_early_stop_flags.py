"""``train --patience N`` / ``--no-early-stop``: the early-stopping patience the run gets."""

import pytest

from cli.main import build_parser
from cli.train_cmd import config_from_args


def _config(*flags):
    return config_from_args(build_parser().parse_args(["train", "DATA", "--strategy", "full", *flags]))


def test_patience_flags_set_the_config_and_the_default_is_left_to_the_strategy():
    assert _config().early_stopping is None
    assert _config().resolved().early_stopping == 0  # full: off unless asked
    assert _config("--patience", "4").early_stopping == 4
    assert _config("--early-stopping", "6").early_stopping == 6  # the older spelling still works
    assert _config("--no-early-stop").early_stopping == 0


def test_patience_and_no_early_stop_together_are_refused(capsys):
    with pytest.raises(SystemExit):
        _config("--patience", "4", "--no-early-stop")
    assert "not allowed with argument" in capsys.readouterr().err
