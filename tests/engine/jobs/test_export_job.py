"""Exporting a distributed job: a self-contained folder whose script imports nothing of the app."""

import ast
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest
import torch
from helpers import make_dataset, make_image

from engine.config import TrainConfig
from engine.data.content import file_sha1
from engine.errors import ConfigError, RunError
from engine.jobs.export_job import export_job
from engine.jobs.import_run import import_run

ALLOWED = {"torch", "torchvision", "timm", "PIL", "jobcore"}


def _config(data: Path, **changes) -> TrainConfig:
    values = {"strategy": "linear", "epochs": 1, "batch_size": 4, "num_workers": 0, **changes}
    return TrainConfig(data_dir=str(data), **values)


@pytest.fixture(scope="module")
def job(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    data = make_dataset(root / "data", per_class=4)
    return export_job(root / "job", config=_config(data, strategy="partial", freeze_k=3)), data


def _job_module(job_dir: Path, name: str):
    """Load one of the job's scripts the way it runs there (beside ``jobcore.py``)."""
    spec = importlib.util.spec_from_file_location(f"job_{name}_{abs(hash(job_dir))}", job_dir / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    sys.path.insert(0, str(job_dir))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(job_dir))
    return module


def _check_only(job_dir: Path, capsys) -> tuple[object, str, str]:
    """The job's own ``train.py --check-only``: its exit code, stdout and stderr."""
    try:
        code = _job_module(job_dir, "train").main(["--job", str(job_dir), "--check-only"])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_the_job_folder_holds_config_manifest_weights_scripts_and_readme(job):
    exported, data = job
    out = exported.job_dir
    files = ("config.json", "job.json", "manifest.json", "source/dataset.json", "train.py", "jobcore.py")
    more = ("launch_single_node.sh", "launch_multi_node.sh", "README.md", "weights/efficientnet_lite0.pt")
    for name in (*files, *more, "data/red/img_0.png"):
        assert (out / name).is_file(), name
    config = json.loads((out / "config.json").read_text())
    assert config["strategy"] == "partial" and config["lr"] is not None  # resolved, no defaults left open
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["data_root"] == "data" and len(manifest["images"]) == exported.images == 8
    for image in manifest["images"]:
        assert not Path(image["path"]).is_absolute()
        assert image["sha1"] == file_sha1(data / image["path"]) == file_sha1(out / "data" / image["path"])
        assert image["split"] in ("train", "val") and image["label"] in ("red", "green")
    assert "--standalone --nproc_per_node" in (out / "launch_single_node.sh").read_text()
    multi = (out / "launch_multi_node.sh").read_text()
    assert "--rdzv-backend c10d" in multi and "--nnodes" in multi
    assert (out / "launch_multi_node.sh").stat().st_mode & 0o111


def test_the_scripts_import_only_torch_torchvision_timm_and_each_other(job):
    for name in ("train.py", "jobcore.py"):
        tree = ast.parse((job[0].job_dir / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:  # ``from . import jobcore``, in the app
                assert [a.name for a in node.names] == ["jobcore"]
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                for module in names:
                    top = module.split(".")[0]
                    assert top in ALLOWED or top in sys.stdlib_module_names, f"{name} imports {module}"


def test_the_carried_weights_rebuild_the_apps_backbone_exactly(job):
    from engine.models.registry import build_backbone

    jobcore = _job_module(job[0].job_dir, "jobcore")
    spec = json.loads((job[0].job_dir / "job.json").read_text())["backbone"]
    theirs = jobcore.build_backbone(spec, job[0].job_dir).eval()
    ours = build_backbone("efficientnet_lite0", pretrained=True)
    x = torch.rand(1, 3, 64, 64)
    assert torch.allclose(theirs(x), ours(x), atol=1e-5)
    assert theirs.state_dict().keys() == ours.state_dict().keys()
    assert [g for g, _ in spec["groups"]][:2] == ["stem", "blocks0"]


def test_the_manifest_check_passes_then_names_a_changed_image(job, capsys):
    exported, _data = job
    code, out, err = _check_only(exported.job_dir, capsys)
    assert code == 0, err
    assert "all 8 images match" in out
    changed = exported.job_dir / "data" / "red" / "img_1.png"
    original = changed.read_bytes()
    make_image(changed, (0, 0, 255), seed=99)
    try:
        code, _out, err = _check_only(exported.job_dir, capsys)
    finally:
        changed.write_bytes(original)
    assert code != 0 and f"{changed}: changed since the job was exported" in str(code)
    assert f"{changed}: changed since the job was exported" in err and "manifest.json" in err


def test_a_missing_image_is_named_too(tmp_path, capsys):
    data = make_dataset(tmp_path / "data", per_class=3)
    exported = export_job(tmp_path / "job", config=_config(data, pretrained=False), copy_images=False)
    manifest = json.loads((exported.job_dir / "manifest.json").read_text())
    assert manifest["data_root"] == str(data) and not (exported.job_dir / "weights").exists()
    (data / "green" / "img_2.png").unlink()
    code, _out, err = _check_only(exported.job_dir, capsys)
    assert code != 0 and f"{data / 'green' / 'img_2.png'}: is missing" in err


def test_refuses_a_folder_with_files_and_a_stack(tmp_path):
    data = make_dataset(tmp_path / "data", per_class=3)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "mine.txt").write_text("keep me")
    with pytest.raises(RunError, match="must be new or empty"):
        export_job(tmp_path / "busy", config=_config(data))
    assert (tmp_path / "busy" / "mine.txt").read_text() == "keep me"
    stack = _config(data, strategy="stack", backbones=("efficientnet_lite0", "efficientnet_lite1"))
    with pytest.raises(ConfigError, match="'stack' cannot run as a distributed job"):
        export_job(tmp_path / "job", config=stack)


def test_import_refuses_a_job_that_has_not_run(job, tmp_path):
    with pytest.raises(RunError, match="has not written a run yet"):
        import_run(job[0].job_dir, tmp_path / "runs")
    with pytest.raises(RunError, match="not a Transfer Studio job folder"):
        import_run(tmp_path, tmp_path / "runs")
    assert not (tmp_path / "runs").exists()


def test_a_job_that_stopped_mid_way_imports_as_an_interrupted_run_with_local_paths(job, tmp_path):
    """The run folder as the job's process 0 leaves it after one epoch, killed before the end."""
    exported, data = job
    jobcore = _job_module(exported.job_dir, "jobcore")
    spec = json.loads((exported.job_dir / "job.json").read_text())
    manifest = json.loads((exported.job_dir / "manifest.json").read_text())
    run = exported.job_dir / "run"
    run.mkdir()
    model = jobcore.TransferModel([jobcore.build_backbone(spec["backbone"], exported.job_dir)], [1280], 2)
    (run / "best.pt").write_bytes(jobcore.checkpoint_bytes(model, [False], 1, 0.5, None))
    val = [image["path"] for image in manifest["images"] if image["split"] == "val"]
    rows = [{"path": p, "label": 0, "probs": [0.6, 0.4]} for p in val]
    predictions = {"format": 2, "epoch": 1, "classes": ["green", "red"], "rows": rows}
    (run / "val_predictions.json").write_text(json.dumps(predictions))
    info = {**spec["info"], "status": "running", "best_epoch": 1, "best_val_acc": 0.5, "epochs_completed": 1,
            "owner": {"pid": 1, "host": "node7.cluster", "process_start": None}}
    (run / "run.json").write_text(json.dumps(info))
    (run / "config.json").write_text(json.dumps(spec["config"]))
    try:
        imported = import_run(exported.job_dir, tmp_path / "runs", calibrate=False)
    finally:
        shutil.rmtree(run)
    from engine.runs.evaluation import load_evaluation
    from engine.runs.files import read_run

    record = read_run(imported.run_dir)
    assert imported.status == record.status == "interrupted" and record.error == ""
    message = record.info["message"]
    assert "node7.cluster" in message and "stopped before it finished" in message
    evaluation = load_evaluation(imported.run_dir)
    assert sorted(evaluation.paths) == sorted(str(data / p) for p in val)  # this computer's images
    recorded = json.loads((imported.run_dir / "dataset.json").read_text())["images"]
    assert {image["path"] for image in recorded} == {str(p) for p in data.rglob("*.png")}
