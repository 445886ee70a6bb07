"""Train a Transfer Studio job under ``torchrun`` (DistributedDataParallel), or in one process.

    torchrun --standalone --nproc_per_node=2 train.py            # one machine, two processes
    python train.py --check-only                                 # only check the images

Needs torch, torchvision, timm and Pillow; nothing of the app. Reads ``job.json`` and ``manifest.json``
next to this file, checks every image against its content hash (a changed or missing image stops the
job, naming the file), trains with a DistributedSampler (gloo on CPU, NCCL on GPU), and rank 0 writes
the run folder (default ``run/`` here) after every epoch in the app's own format. Bring it back with
``main.py import-run JOB_DIR``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

HERE = Path(__file__).resolve().parent
if __package__:  # imported as engine.jobs.templates.train (the app checks its own modules)
    from . import jobcore as jc
else:  # the job's script: jobcore.py sits beside it (also under ``python -I``)
    sys.path.insert(0, str(HERE))
    import jobcore as jc


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The job's options."""
    p = argparse.ArgumentParser(description="Train an exported Transfer Studio job.")
    p.add_argument("--job", default=str(HERE), help="the job folder (default: this script's folder)")
    p.add_argument("--data-root", help="where the images' relative paths start (default: from job.json)")
    p.add_argument("--out", help="the run folder to write (default: JOB/run)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    p.add_argument("--workers", type=int, help="data-loading processes per training process")
    p.add_argument("--check-only", action="store_true", help="check the images against the manifest and stop")
    return p.parse_args(argv)


class Dist:
    """Rank, world and collectives; a single process when not started by torchrun."""

    def __init__(self, device_choice: str) -> None:
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        use_cuda = device_choice == "cuda" or (device_choice == "auto" and torch.cuda.is_available())
        self.on_cuda = use_cuda
        self.device = torch.device(f"cuda:{self.local_rank}" if use_cuda else "cpu")
        if use_cuda:
            torch.cuda.set_device(self.device)
        self.amp = self.channels_last = False  # set from the config: CUDA only
        if self.world > 1:
            dist.init_process_group("nccl" if use_cuda else "gloo")

    @property
    def main(self) -> bool:
        """Whether this process writes the run folder."""
        return self.rank == 0

    def gather(self, obj: Any) -> list[Any]:
        """Every process's ``obj``, in rank order."""
        if self.world == 1:
            return [obj]
        out: list[Any] = [None] * self.world
        dist.all_gather_object(out, obj)
        return out

    def total(self, *values: float) -> list[float]:
        """Sums over all processes."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device)
        if self.world > 1:
            dist.all_reduce(t)
        return t.tolist()

    def close(self) -> None:
        """Leave the process group."""
        if self.world > 1 and dist.is_initialized():
            dist.destroy_process_group()


def check_manifest(d: Dist, images: list[dict[str, Any]], data_root: Path, manifest: Path) -> None:
    """Every process checks its share of the images; any problem stops every process with its name."""
    mine = jc.manifest_problems(images[d.rank :: d.world], data_root, str(manifest))
    problems = sorted(p for part in d.gather(mine) for p in part)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        if d.main:
            sys.stderr.write("manifest check failed:\n" + "\n".join(f"  {p}" for p in problems[:20]) + "\n")
        d.close()
        raise SystemExit(f"manifest check failed: {problems[0]}{more}")


def setup(
    model: jc.TransferModel, cfg: dict[str, Any], groups: list[list[Any]]
) -> tuple[list[Any], list[Any]]:
    """Freeze what the strategy keeps fixed; return the frozen modules and the optimizer's groups."""
    lr, mult = float(cfg["lr"]), float(cfg["backbone_lr_mult"] or 0.0)
    head = {"params": list(model.head.parameters()), "lr": lr, "name": "head"}
    backbone = model.backbones[0]
    if cfg["strategy"] in ("linear", "features"):
        backbone.requires_grad_(False)
        return [backbone], [head]
    members = jc.group_modules(backbone, groups)
    k = 0
    if cfg["strategy"] == "partial":
        wanted = cfg["freeze_k"] if cfg["freeze_k"] is not None else max(1, len(members) // 2)
        k = min(int(wanted), len(members))
    for group in members[:k]:
        for param in jc.parameters_of(group):
            param.requires_grad_(False)
    trainable = [p for group in members[k:] for p in jc.parameters_of(group)]
    for param in trainable:
        param.requires_grad_(True)
    body = {"params": trainable, "lr": lr if cfg["strategy"] == "scratch" else lr * mult, "name": "backbone"}
    frozen = [m for group in members[:k] for m in group if isinstance(m, nn.Module)]
    return frozen, [g for g in (body, head) if g["params"]]


def optimizer_and_schedule(cfg: dict[str, Any], groups: list[Any]) -> tuple[Any, Any]:
    """SGD with momentum or AdamW, and the step, cosine or constant schedule."""
    if cfg["optimizer"] == "sgd":
        decay, momentum = cfg["weight_decay"], cfg["momentum"]
        opt: Any = torch.optim.SGD(groups, lr=cfg["lr"], momentum=momentum, weight_decay=decay)
    else:
        opt = torch.optim.AdamW(groups, lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    if cfg["schedule"] == "step":
        return opt, torch.optim.lr_scheduler.StepLR(opt, cfg["step_size"], cfg["gamma"])
    if cfg["schedule"] == "cosine":
        return opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, int(cfg["epochs"])))
    return opt, torch.optim.lr_scheduler.LambdaLR(opt, lambda _: 1.0)


class Writer:
    """Rank 0's run folder: config.json once, the rest after every epoch, atomically."""

    def __init__(self, out: Path, job: dict[str, Any], device: str, world: int) -> None:
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        self.info = {**job["info"], "device": device, "status": "running", "owner": jc.owner()}
        self.info.update(created=jc.now_iso(), best_epoch=0, best_val_acc=0.0, epochs_completed=0)
        self.info["message"] = f"trained as a distributed job on {world} process(es)"
        self.history: list[dict[str, Any]] = []
        jc.write_json(out / "config.json", job["config"])
        jc.write_json(out / "run.json", self.info)

    def epoch(self, row: dict[str, Any], files: dict[str, bytes]) -> None:
        """Write the weights and predictions of an epoch, then history.json and run.json."""
        self.history.append(row)
        for name, data in files.items():
            jc.write_bytes(self.out / name, data)
        jc.write_json(self.out / "history.json", self.history)
        jc.write_json(self.out / "run.json", self.info)

    def finish(self, status: str, message: str, seconds: float) -> None:
        """The run's final record."""
        self.info.update(status=status, finished=jc.now_iso(), seconds=round(seconds, 3))
        self.info["message"] = " ".join(m for m in (self.info["message"] + ";", message) if m).rstrip(";")
        jc.write_json(self.out / "run.json", self.info)


def run_epoch(model: nn.Module, loader: DataLoader, opt: Any, loss_fn: nn.Module, d: Dist) -> list[float]:
    """One pass over this process's share of the training images; the totals over all processes."""
    total, correct, seen = 0.0, 0, 0
    for images, labels, _rows, _bad in loader:
        if not len(labels):
            continue
        x = images.to(d.device, non_blocking=True)
        x = x.contiguous(memory_format=torch.channels_last) if d.channels_last else x
        y = labels.to(d.device)
        opt.zero_grad(set_to_none=True)
        with torch.autocast(d.device.type, dtype=torch.bfloat16, enabled=d.amp):
            logits = model(x)
        loss = loss_fn(logits.float(), y)
        if not torch.isfinite(loss):
            raise SystemExit("the loss became NaN or infinite; try a lower learning rate or a smaller batch")
        loss.backward()
        opt.step()
        total += float(loss.detach()) * len(y)
        correct += int((logits.argmax(1) == y).sum())
        seen += len(y)
    return d.total(total, correct, seen)


@torch.no_grad()
def predict(model: nn.Module, loader: DataLoader, d: Dist, n: int) -> tuple[torch.Tensor, list[int]]:
    """Validation probabilities of every image, gathered from all processes (each image once), by row."""
    rows, probs = [], []
    for images, _labels, idx, _bad in loader:
        if len(idx):
            probs.append(torch.softmax(model(images.to(d.device)).float(), dim=1).cpu())
            rows.extend(idx.tolist())
    mine = (rows, torch.cat(probs) if probs else torch.zeros(0, n))
    by_row: dict[int, torch.Tensor] = {}
    for part_rows, part_probs in d.gather(mine):
        for r, p in zip(part_rows, part_probs, strict=True):
            by_row[r] = p
    ordered = sorted(by_row)
    return (torch.stack([by_row[r] for r in ordered]) if ordered else torch.zeros(0, n)), ordered


@dataclass
class Training:
    """Everything one process trains with."""

    d: Dist
    cfg: dict[str, Any]
    model: jc.TransferModel  # the plain network (checkpoints, validation)
    ddp: nn.Module  # the same network wrapped for DistributedDataParallel
    opt: Any
    sched: Any
    loss_fn: nn.Module
    weights: torch.Tensor | None
    loaders: tuple[DataLoader, DataLoader]
    sampler: DistributedSampler
    frozen_modules: list[nn.Module]
    frozen: list[bool]  # per backbone: stored by reference in the checkpoints
    val_names: list[str]  # the manifest paths of the validation images
    classes: list[str]
    writer: Writer | None


def build(args: argparse.Namespace, job: dict[str, Any], manifest: dict[str, Any], d: Dist) -> Training:
    """The network, optimizer and data loaders of this process."""
    job_dir, cfg, spec = Path(args.job).resolve(), job["config"], job["backbone"]
    data_root = Path(args.data_root) if args.data_root else job_dir / manifest["data_root"]
    classes = manifest["classes"]
    label = {c: i for i, c in enumerate(classes)}
    listed = [(jc.image_path(data_root, im["path"]), label[im["label"]], im) for im in manifest["images"]]
    train = [(p, y) for p, y, im in listed if im["split"] == "train"]
    val = [(p, y) for p, y, im in listed if im["split"] == "val"]
    model = jc.TransferModel([jc.build_backbone(spec, job_dir)], [spec["feature_dim"]], len(classes))
    frozen_modules, groups = setup(model, cfg, spec["groups"])
    model = model.to(d.device, memory_format=torch.channels_last) if d.channels_last else model.to(d.device)
    ddp: nn.Module = model
    if d.world > 1:
        ddp = nn.parallel.DistributedDataParallel(model, device_ids=[d.local_rank] if d.on_cuda else None)
    opt, sched = optimizer_and_schedule(cfg, groups)
    weights = jc.class_weights([y for _p, y in train], len(classes)) if cfg["class_weights"] else None
    loss_fn = nn.CrossEntropyLoss(weight=None if weights is None else weights.to(d.device))
    per_process = max(1, int(cfg["batch_size"]) // d.world)  # the config's batch is the global one
    workers = args.workers if args.workers is not None else cfg["num_workers"]
    workers = 2 if workers is None else int(workers)
    kw: dict[str, Any] = {"num_workers": workers, "collate_fn": jc.collate, "persistent_workers": workers > 0}
    sampler = DistributedSampler(train, d.world, d.rank, shuffle=True, seed=int(cfg["seed"]))
    train_set = jc.Images(train, jc.train_transform(spec["preprocess"], cfg["augment"]))
    val_set = jc.Images(val, jc.EvalTransform(spec["preprocess"]))
    loaders = (
        DataLoader(train_set, batch_size=per_process, sampler=sampler, **kw),
        DataLoader(val_set, batch_size=per_process, sampler=DistributedSampler(val, d.world, d.rank, False),
                   **kw),
    )
    out = Path(args.out) if args.out else job_dir / "run"
    writer = Writer(out, job, str(d.device), d.world) if d.main else None
    val_names = [im["path"] for _p, _y, im in listed if im["split"] == "val"]
    frozen = list(job["info"]["frozen_backbones"])
    return Training(d, cfg, model, ddp, opt, sched, loss_fn, weights, loaders, sampler, frozen_modules,
                    frozen, val_names, classes, writer)


def main(argv: list[str] | None = None) -> int:
    """Check the images, train, and (rank 0) write the run folder."""
    args = parse_args(argv)
    started = time.perf_counter()
    job_dir = Path(args.job).resolve()
    job = jc.read_json(job_dir / "job.json")
    manifest = jc.read_json(job_dir / "manifest.json")
    d = Dist(args.device)
    data_root = Path(args.data_root) if args.data_root else job_dir / manifest["data_root"]
    check_manifest(d, manifest["images"], data_root, job_dir / "manifest.json")
    if args.check_only:
        if d.main:
            print(f"all {len(manifest['images'])} images match {job_dir / 'manifest.json'}")
        d.close()
        return 0
    cfg = job["config"]
    d.amp = d.on_cuda and bool(cfg.get("amp", True)) and torch.cuda.is_bf16_supported()
    d.channels_last = d.on_cuda and bool(cfg.get("channels_last"))
    torch.manual_seed(int(cfg["seed"]))
    if not d.on_cuda:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // int(os.environ.get("LOCAL_WORLD_SIZE", "1"))))
    t = build(args, job, manifest, d)
    status, message = "failed", ""
    try:
        message = train_epochs(t)
        status = "completed"
    except BaseException as exc:
        message = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        if t.writer is not None:
            t.writer.finish(status, message, time.perf_counter() - started)
        d.close()
    return 0


def train_epochs(t: Training) -> str:
    """Every epoch: train, validate on all processes, and (rank 0) record it; returns why it stopped early."""
    epochs, progress = int(t.cfg["epochs"]), jc.Progress(int(t.cfg.get("early_stopping") or 0))
    train_loader, val_loader = t.loaders
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        t.sampler.set_epoch(epoch)
        t.ddp.train()
        for module in t.frozen_modules:
            module.eval()
        loss_sum, correct, seen = run_epoch(t.ddp, train_loader, t.opt, t.loss_fn, t.d)
        t.model.eval()
        probs, rows = predict(t.model, val_loader, t.d, len(t.classes))
        labels = torch.tensor([val_loader.dataset.samples[r][1] for r in rows], dtype=torch.long)
        val_loss, val_acc = jc.val_metrics(probs, labels, t.weights)
        lr = float(t.opt.param_groups[-1]["lr"])
        t.sched.step()
        improved = progress.update(epoch, val_acc, val_loss)
        seconds = time.perf_counter() - t0
        row = {"epoch": epoch, "train_loss": loss_sum / max(seen, 1), "train_acc": correct / max(seen, 1),
               "val_loss": val_loss, "val_acc": val_acc, "lr": lr, "seconds": seconds,
               "images_per_s": seen / max(seconds, 1e-9)}
        if t.writer is not None:
            record(t, progress, row, (probs, labels, rows) if improved else None)
            print(f"epoch {epoch}/{epochs}: train loss {row['train_loss']:.4f} acc {row['train_acc']:.3f}, "
                  f"val loss {val_loss:.4f} acc {val_acc:.3f} ({seconds:.1f} s)", flush=True)
        if progress.should_stop and epoch < epochs:
            if t.writer is not None:
                t.writer.info.update(stopped_early=True, stop_reason=progress.reason)
            return f"stopped early after epoch {epoch}: {progress.reason}; best weights kept"
    return ""


def record(t: Training, progress: jc.Progress, row: dict[str, Any], best: tuple[Any, ...] | None) -> None:
    """Rank 0: write ``last.pt`` (for a new best, ``best.pt`` and its predictions), history and record."""
    epoch, val_acc = int(row["epoch"]), float(row["val_acc"])
    assert t.writer is not None
    best_epoch, best_acc = progress.best_epoch, progress.best_acc
    t.writer.info.update(epochs_completed=epoch, best_epoch=best_epoch, best_val_acc=best_acc)
    stopping = {"best_loss": progress.best_loss, "best_epoch": progress.loss_epoch,
                "stale": progress.stale_loss}
    training = {"optimizer": t.opt.state_dict(), "scheduler": t.sched.state_dict(), "stale": progress.stale,
                "early_stopping": stopping}
    files = {"last.pt": jc.checkpoint_bytes(t.model, t.frozen, epoch, val_acc, training)}
    if best is not None:
        probs, labels, rows = best
        files["best.pt"] = jc.checkpoint_bytes(t.model, t.frozen, epoch, val_acc, None)
        listed = [{"path": t.val_names[r], "label": int(y), "probs": [round(float(p), 6) for p in pr]}
                  for r, y, pr in zip(rows, labels.tolist(), probs, strict=True)]
        predictions = {"format": 2, "epoch": epoch, "classes": t.classes, "rows": listed}
        files["val_predictions.json"] = jc.json_bytes(predictions)
    t.writer.epoch(row, files)


if __name__ == "__main__":
    raise SystemExit(main())
