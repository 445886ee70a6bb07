"""``main.py export-job`` and ``import-run``: arguments, output and errors (the torchrun round trip is in
tests/engine/jobs/test_torchrun_job.py)."""

import contextlib
import io
import json

from helpers import make_dataset

from cli import COMMANDS
from cli.job_cmd import runs_folder
from cli.main import run as cli_run
from engine.config import TrainConfig
from engine.project.store import Project


def _in_process(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_run(list(args))
    return code, out.getvalue(), err.getvalue()


def test_both_commands_are_routed():
    assert {"export-job", "import-run"} <= set(COMMANDS)


def test_export_job_from_a_configuration_file(tmp_path):
    data = make_dataset(tmp_path / "data", per_class=3)
    config = TrainConfig(data_dir=str(data), strategy="full", epochs=1, pretrained=False)
    (tmp_path / "config.json").write_text(json.dumps(config.to_dict()))
    job = str(tmp_path / "job")
    code, out, err = _in_process("export-job", "--config", str(tmp_path / "config.json"), job, "--json")
    assert code == 0, err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["images"] == 6 and summary["strategy"] == "full" and summary["copied"]
    assert "launch_single_node.sh" in err and "import-run" in err
    written = json.loads((tmp_path / "job" / "config.json").read_text())
    assert written["strategy"] == "full" and written["epochs"] == 1 and written["batch_size"] is not None


def test_export_job_says_what_it_expects(tmp_path):
    code, _out, err = _in_process("export-job", str(tmp_path / "job"))
    assert code == 2 and "expected export-job RUN_DIR OUT" in err
    missing = str(tmp_path / "nope.json")
    code, _out, err = _in_process("export-job", "--config", missing, str(tmp_path / "job"))
    assert code == 2 and f"{tmp_path / 'nope.json'}: no such configuration file" in err
    code, _out, err = _in_process("export-job", str(tmp_path), str(tmp_path / "job"))
    assert code == 2 and "run.json is missing" in err
    assert not (tmp_path / "job").exists()


def test_import_run_names_what_is_missing(tmp_path):
    code, _out, err = _in_process("import-run", str(tmp_path))
    assert code == 2 and f"{tmp_path}: not a Transfer Studio job folder (job.json is missing)" in err


def test_runs_go_into_a_projects_runs_folder(tmp_path):
    Project.create(tmp_path / "project").save()
    assert runs_folder(str(tmp_path / "project")) == tmp_path / "project" / "runs"
    assert runs_folder(str(tmp_path / "elsewhere")) == tmp_path / "elsewhere"
    assert str(runs_folder(None)) == "runs"
