"""The PyTorch transfer-learning tutorial's loop (seed 003's ``train_model``), kept faithful as a baseline.

Only the backbone differs from the tutorial: EfficientNet-Lite0 with the same ImageNet weights the
app uses, so the comparison is like for like.
"""

from __future__ import annotations

import copy
import time

import torch
from torch import nn
from torchvision import datasets, transforms

MEAN = STD = [0.5, 0.5, 0.5]


def tutorial_loaders(root, batch_size=4, workers=4):
    tf = {
        "train": transforms.Compose([transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(),
                                     transforms.ToTensor(), transforms.Normalize(MEAN, STD)]),
        "val": transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                                   transforms.Normalize(MEAN, STD)]),
    }
    sets = {x: datasets.ImageFolder(f"{root}/{x}", tf[x]) for x in ("train", "val")}
    loaders = {
        x: torch.utils.data.DataLoader(sets[x], batch_size=batch_size, shuffle=True, num_workers=workers)
        for x in ("train", "val")
    }
    return loaders, {x: len(sets[x]) for x in sets}


def train_model(model, criterion, optimizer, scheduler, loaders, sizes, num_epochs=25, max_batches=None):
    """Seed 003's loop; ``max_batches`` stops early for throughput-only measurements."""
    best_wts, best_acc, seen, train_time = copy.deepcopy(model.state_dict()), 0.0, 0, 0.0
    for _epoch in range(num_epochs):
        for phase in ("train", "val"):
            model.train() if phase == "train" else model.eval()
            running_loss, running_corrects, t0 = 0.0, 0, time.perf_counter()
            for b, (inputs, labels) in enumerate(loaders[phase]):
                if max_batches is not None and b >= max_batches:
                    break
                optimizer.zero_grad()
                with torch.set_grad_enabled(phase == "train"):
                    outputs = model(inputs)
                    _, preds = torch.max(outputs, 1)
                    loss = criterion(outputs, labels)
                    if phase == "train":
                        loss.backward()
                        optimizer.step()
                        seen += inputs.size(0)
                running_loss += loss.item() * inputs.size(0)
                running_corrects += torch.sum(preds == labels.data)
            if phase == "train":
                scheduler.step()
                train_time += time.perf_counter() - t0
                if max_batches is not None:
                    return model, 0.0, seen / train_time
            epoch_acc = running_corrects.double() / sizes[phase]
            if phase == "val" and epoch_acc > best_acc:
                best_acc, best_wts = float(epoch_acc), copy.deepcopy(model.state_dict())
    model.load_state_dict(best_wts)
    return model, best_acc, seen / max(train_time, 1e-9)


def lite0_with_head(num_classes, freeze):
    from engine.models.registry import build_imagenet_classifier

    model = build_imagenet_classifier("efficientnet_lite0")
    if freeze:
        for p in model.parameters():
            p.requires_grad = False
    model.classifier = nn.Linear(model.classifier.in_features, num_classes)
    return model


def run_tutorial(root, freeze, num_epochs=25, max_batches=None, batch_size=4):
    loaders, sizes = tutorial_loaders(root, batch_size)
    model = lite0_with_head(2, freeze)
    params = model.classifier.parameters() if freeze else model.parameters()
    optimizer = torch.optim.SGD(params, lr=0.001, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=7, gamma=0.1)
    t0 = time.perf_counter()
    _, best, rate = train_model(model, nn.CrossEntropyLoss(), optimizer, scheduler, loaders, sizes,
                                num_epochs, max_batches)
    return {"best_val_acc": best, "seconds": time.perf_counter() - t0, "train_images_per_s": rate}


def naive_extraction_rate(root, limit=160):
    """A plain DataLoader loop over the frozen backbone: what a first attempt at feature extraction does."""
    from engine.models.registry import build_backbone

    tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                             transforms.Normalize(MEAN, STD)])
    data = datasets.ImageFolder(f"{root}/train", tf)
    data.samples = data.samples[:limit]
    loader = torch.utils.data.DataLoader(data, batch_size=4, num_workers=2)
    model = build_backbone("efficientnet_lite0", pretrained=True).eval()
    t0, n = time.perf_counter(), 0
    with torch.no_grad():
        for inputs, _ in loader:
            model(inputs)
            n += inputs.size(0)
    return n / (time.perf_counter() - t0)
