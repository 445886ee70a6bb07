<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AdvancedSettings</name>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Light (flips, small crops)</source>
        <translation>轻度（翻转、小幅裁剪）</translation>
    </message>
    <message>
        <source>Strong (more crops, colour)</source>
        <translation>强（更多裁剪、颜色变化）</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Augmentation</source>
        <translation>数据增强</translation>
    </message>
    <message>
        <source>Stop early after</source>
        <translation>无改善时提前停止</translation>
    </message>
    <message>
        <source>Frozen layer groups (k)</source>
        <translation>冻结的层组数 (k)</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Auto: the strategy&apos;s batch size, or at most {batch} when a CPU trains on images (smaller batches run faster there).</source>
        <translation>自动：使用策略的批大小；用 CPU 基于图片训练时最多 {batch}（在 CPU 上较小的批次更快）。</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source> epochs</source>
        <translation> 轮</translation>
    </message>
    <message>
        <source>Stop once the validation loss has not improved for this many epochs; the best weights are kept and the run says it stopped early. Off trains every epoch.</source>
        <translation>验证损失连续这么多轮没有改善时停止训练；最佳权重会保留，训练记录会注明已提前停止。关闭时训练所有轮次。</translation>
    </message>
    <message>
        <source>Reset to safe defaults</source>
        <translation>恢复安全的默认值</translation>
    </message>
    <message>
        <source>Reading the layer groups of {network}…</source>
        <translation>正在读取 {network} 的层组…</translation>
    </message>
    <message>
        <source>The layer groups could not be read: {reason}</source>
        <translation>无法读取层组：{reason}</translation>
    </message>
    <message>
        <source>Auto sets the epochs, learning rate, augmentation, early stopping and frozen layer groups of the strategy it chooses; the batch size is yours to set.</source>
        <translation>自动模式会为所选策略设置轮数、学习率、数据增强、提前停止和冻结的层组；批大小由你设置。</translation>
    </message>
    <message>
        <source>k applies to the “partial” strategy only: these strategies freeze every group (features, linear, stack) or none (full, scratch).</source>
        <translation>k 只适用于“微调上层”策略：其他策略要么冻结全部层组（缓存特征、冻结网络、堆叠），要么全不冻结（微调所有层、从头训练）。</translation>
    </message>
    <message>
        <source>{network} has {count} layer groups, input side first. The first k stay frozen; the others are fine-tuned.</source>
        <translation>{network} 有 {count} 个层组，从输入端开始排列。前 k 个保持冻结，其余的进行微调。</translation>
    </message>
    <message>
        <source>frozen</source>
        <translation>冻结</translation>
    </message>
    <message>
        <source>trained</source>
        <translation>训练</translation>
    </message>
</context>
<context>
    <name>AutoRunView</name>
    <message>
        <source>What was trained</source>
        <translation>训练内容</translation>
    </message>
    <message>
        <source>Strategy</source>
        <translation>策略</translation>
    </message>
    <message>
        <source>Validation accuracy</source>
        <translation>验证准确率</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>用时</translation>
    </message>
    <message>
        <source>Why it stopped there</source>
        <translation>为何止步于此</translation>
    </message>
    <message>
        <source>{accuracy} (expected {low} to {high})</source>
        <translation>{accuracy}（预期 {low} 至 {high}）</translation>
    </message>
    <message>
        <source>Auto: measure, then train the best</source>
        <translation>自动：先测量，再训练最佳策略</translation>
    </message>
    <message>
        <source>✓ {step}</source>
        <translation>✓ {step}</translation>
    </message>
    <message>
        <source>Auto chose {title} on {networks}.</source>
        <translation>自动模式选择了“{title}”，主干网络 {networks}。</translation>
    </message>
    <message>
        <source>Auto was cancelled before it chose a strategy.</source>
        <translation>自动模式在选定策略之前被取消。</translation>
    </message>
    <message>
        <source>Auto stopped before it chose a strategy.</source>
        <translation>自动模式在选定策略之前停止。</translation>
    </message>
    <message>
        <source>Measuring before choosing a strategy…</source>
        <translation>正在测量，随后选择策略…</translation>
    </message>
</context>
<context>
    <name>DataStepPage</name>
    <message>
        <source>1 · Your data</source>
        <translation>1 · 你的数据</translation>
    </message>
    <message>
        <source>What the wizard found among the labelled images of this project.</source>
        <translation>向导在此项目已标注的图片中发现的情况。</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>总计</translation>
    </message>
    <message>
        <source>Images per class</source>
        <translation>每类图片数</translation>
    </message>
    <message>
        <source>The images could not be checked: {reason}</source>
        <translation>无法检查图片：{reason}</translation>
    </message>
    <message>
        <source>Checking the images…</source>
        <translation>正在检查图片…</translation>
    </message>
    <message>
        <source>{count} usable images in {classes} classes; largest / smallest class = {ratio} (balanced).</source>
        <translation>{count} 张可用图片，共 {classes} 个类别；最大类 / 最小类 = {ratio}（均衡）。</translation>
    </message>
    <message>
        <source>{count} usable images in {classes} classes; largest / smallest class = {ratio} (somewhat unbalanced).</source>
        <translation>{count} 张可用图片，共 {classes} 个类别；最大类 / 最小类 = {ratio}（略不均衡）。</translation>
    </message>
    <message>
        <source>{count} usable images in {classes} classes; largest / smallest class = {ratio} (unbalanced).</source>
        <translation>{count} 张可用图片，共 {classes} 个类别；最大类 / 最小类 = {ratio}（不均衡）。</translation>
    </message>
    <message>
        <source>Image sizes: {sizes}.</source>
        <translation>图片尺寸：{sizes}。</translation>
    </message>
    <message>
        <source>✓  No problems found.</source>
        <translation>✓  未发现问题。</translation>
    </message>
</context>
<context>
    <name>DataSummary</name>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>typically {width} × {height} px (smallest side {smallest} px, largest {largest} px; {count} checked)</source>
        <translation>通常为 {width} × {height} 像素（最短边 {smallest} 像素，最长边 {largest} 像素；已检查 {count} 张）</translation>
    </message>
    <message>
        <source>Training needs at least two classes with images. Label some images in the Data stage.</source>
        <translation>训练至少需要两个有图片的类别。请在“数据”阶段标注一些图片。</translation>
    </message>
    <message>
        <source>“{name}” has only 1 image. Aim for at least {minimum} per class: with fewer, the model may not learn it and the accuracy figure is very uncertain.</source>
        <translation>“{name}”只有 1 张图片。每个类别应至少有 {minimum} 张：图片更少时，模型可能学不会该类别，准确率数字也很不可靠。</translation>
    </message>
    <message>
        <source>“{name}” has only {count} images. Aim for at least {minimum} per class: with fewer, the model may not learn it and the accuracy figure is very uncertain.</source>
        <translation>“{name}”只有 {count} 张图片。每个类别应至少有 {minimum} 张：图片更少时，模型可能学不会该类别，准确率数字也很不可靠。</translation>
    </message>
    <message>
        <source>“{name}” has only 1 validation image, so its accuracy cannot be judged well.</source>
        <translation>“{name}”只有 1 张验证图片，因此难以准确评判它的准确率。</translation>
    </message>
    <message>
        <source>“{name}” has only {count} validation images, so its accuracy cannot be judged well.</source>
        <translation>“{name}”只有 {count} 张验证图片，因此难以准确评判它的准确率。</translation>
    </message>
    <message>
        <source>The classes are unbalanced: “{big}” has {ratio}× as many images as “{small}”. Training weighs the classes to compensate, but more images of “{small}” would help.</source>
        <translation>类别不均衡：“{big}”的图片数量是“{small}”的 {ratio} 倍。训练会对类别加权以作补偿，但为“{small}”增加更多图片会更有帮助。</translation>
    </message>
    <message>
        <source>1 file could not be read and will be left out (listed below).</source>
        <translation>有 1 个文件无法读取，将被排除（见下方列表）。</translation>
    </message>
    <message>
        <source>{count} files could not be read and will be left out (listed below).</source>
        <translation>有 {count} 个文件无法读取，将被排除（见下方列表）。</translation>
    </message>
    <message>
        <source>{count} of the {checked} images checked are smaller than {side} px on a side. They are enlarged for the network, which blurs them; larger photos work better.</source>
        <translation>在已检查的 {checked} 张图片中，有 {count} 张的边长小于 {side} 像素。它们会被放大后送入网络，因而变得模糊；更大的照片效果更好。</translation>
    </message>
    <message>
        <source>{count} of the images checked are larger than {side} px. That is fine, but decoding them makes every epoch of image-based training slower.</source>
        <translation>已检查的图片中有 {count} 张大于 {side} 像素。这没有问题，但解码这些图片会使基于图片的训练每一轮都变慢。</translation>
    </message>
</context>
<context>
    <name>ExportFlow</name>
    <message>
        <source>{path}: PyTorch says {torch}, ONNX says {onnx}</source>
        <translation>{path}：PyTorch 判断为 {torch}，ONNX 判断为 {onnx}</translation>
    </message>
    <message>
        <source>… and {count} more</source>
        <translation>… 另有 {count} 项</translation>
    </message>
</context>
<context>
    <name>JobActions</name>
    <message>
        <source>The job is in {folder} ({count} images, copied). Copy the folder to the cluster and run launch_single_node.sh (torchrun --standalone) or launch_multi_node.sh; then use “Import run…” on the folder.</source>
        <translation>分布式任务位于 {folder}（{count} 张图片，已复制）。请将该文件夹复制到集群，运行 launch_single_node.sh（torchrun --standalone）或 launch_multi_node.sh；完成后对该文件夹使用“导入训练记录…”。</translation>
    </message>
    <message>
        <source>Note: {note}</source>
        <translation>注意：{note}</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Put the job folder in</source>
        <translation>选择存放任务文件夹的位置</translation>
    </message>
    <message>
        <source>No project open</source>
        <translation>未打开项目</translation>
    </message>
    <message>
        <source>Open the project to import the run into first.</source>
        <translation>请先打开要导入训练记录的项目。</translation>
    </message>
    <message>
        <source>The job folder to import</source>
        <translation>选择要导入的任务文件夹</translation>
    </message>
    <message>
        <source>The job action failed</source>
        <translation>任务操作失败</translation>
    </message>
    <message>
        <source>Imported as {folder}.</source>
        <translation>已导入为 {folder}。</translation>
    </message>
    <message>
        <source>Run imported</source>
        <translation>训练记录已导入</translation>
    </message>
    <message>
        <source>Job exported</source>
        <translation>分布式任务已导出</translation>
    </message>
    <message>
        <source>{title}.</source>
        <translation>{title}。</translation>
    </message>
</context>
<context>
    <name>RecommendationStepPage</name>
    <message>
        <source>3 · Recommendation</source>
        <translation>3 · 推荐</translation>
    </message>
    <message>
        <source>Where your data sits, what to train and why. You can pick another strategy.</source>
        <translation>你的数据属于哪种情况、应训练什么以及原因。你也可以选择其他策略。</translation>
    </message>
    <message>
        <source>What Auto is expected to train for your aim and time budget; measuring first adds seconds to a few minutes.</source>
        <translation>按你的目标和时间预算，自动模式预计会训练的内容；事先测量会增加几秒到几分钟。</translation>
    </message>
    <message>
        <source>Advanced settings</source>
        <translation>高级设置</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>不限</translation>
    </message>
    <message>
        <source>Leave out strategies expected to train for longer than this. Auto keeps its measuring and the run it chooses within it.</source>
        <translation>排除预计训练时间超过此值的策略。自动模式的测量和所选训练都会控制在此时间内。</translation>
    </message>
    <message>
        <source>Aim for:</source>
        <translation>目标：</translation>
    </message>
    <message>
        <source>Time budget:</source>
        <translation>时间预算：</translation>
    </message>
    <message>
        <source>Pretrained network:</source>
        <translation>预训练网络：</translation>
    </message>
    <message>
        <source>{name}  (recommended)</source>
        <translation>{name}（推荐）</translation>
    </message>
    <message>
        <source>Expected accuracy: not measured.</source>
        <translation>预期准确率：未测量。</translation>
    </message>
    <message>
        <source>{name} is expected to reach {low} to {high} on your validation images.</source>
        <translation>“{name}”在你的验证图片上预计可达到 {low} 至 {high}。</translation>
    </message>
    <message>
        <source>Recommended: {name}.</source>
        <translation>推荐：{name}。</translation>
    </message>
    <message>
        <source>Recommended: {name} on {networks}, first {k} layer groups frozen.</source>
        <translation>推荐：{name}，主干网络 {networks}，冻结前 {k} 个层组。</translation>
    </message>
    <message>
        <source>Recommended: {name} on {networks}.</source>
        <translation>推荐：{name}，主干网络 {networks}。</translation>
    </message>
    <message>
        <source>no recommendation yet</source>
        <translation>尚无推荐</translation>
    </message>
    <message>
        <source>Expected validation accuracy: {low} to {high} (a central 80% range, from the quick classifiers of step 2 at several sample sizes and the size of your validation set).</source>
        <translation>预期验证准确率：{low} 至 {high}（中间 80% 的范围，依据第 2 步快速分类器在多个样本量下的结果以及你的验证集大小）。</translation>
    </message>
</context>
<context>
    <name>RunLog</name>
    <message>
        <source>Best validation accuracy {accuracy} at epoch {epoch}.</source>
        <translation>最佳验证准确率 {accuracy}，出现在第 {epoch} 轮。</translation>
    </message>
    <message>
        <source>Why this strategy: {reason}</source>
        <translation>选择此策略的原因：{reason}</translation>
    </message>
    <message>
        <source>Training {train} images, validating on {val}; {epochs} epochs on {device}.</source>
        <translation>训练 {train} 张图片，验证 {val} 张；在 {device} 上训练 {epochs} 轮。</translation>
    </message>
    <message>
        <source>Run folder: {folder}</source>
        <translation>训练记录文件夹：{folder}</translation>
    </message>
    <message>
        <source>Epoch {epoch}/{epochs}: train loss {train_loss}, accuracy {train_acc}; validation loss {val_loss}, accuracy {val_acc} ({seconds} s)</source>
        <translation>第 {epoch}/{epochs} 轮：训练损失 {train_loss}，准确率 {train_acc}；验证损失 {val_loss}，准确率 {val_acc}（{seconds} 秒）</translation>
    </message>
    <message>
        <source>best so far: {accuracy} at epoch {epoch} (weights saved)</source>
        <translation>目前最佳：第 {epoch} 轮 {accuracy}（权重已保存）</translation>
    </message>
    <message>
        <source>Paused at epoch {epoch}, batch {step}.</source>
        <translation>已暂停于第 {epoch} 轮第 {step} 批。</translation>
    </message>
    <message>
        <source>Resumed.</source>
        <translation>已继续。</translation>
    </message>
    <message>
        <source>Finished after {epochs} epochs in {time}.</source>
        <translation>训练完成，共 {epochs} 轮，用时 {time}。</translation>
    </message>
    <message>
        <source>Cancelled after {epochs} epochs in {time}.</source>
        <translation>训练已取消，完成 {epochs} 轮，用时 {time}。</translation>
    </message>
    <message>
        <source>Failed after {epochs} epochs in {time}.</source>
        <translation>训练失败，完成 {epochs} 轮，用时 {time}。</translation>
    </message>
    <message>
        <source>{count} images were skipped:</source>
        <translation>跳过了 {count} 张图片：</translation>
    </message>
    <message>
        <source>What Auto tried:</source>
        <translation>自动模式尝试过的内容：</translation>
    </message>
    <message>
        <source>{what} ({strategy}): {accuracy} in {time}; {stopped}</source>
        <translation>{what}（{strategy}）：{accuracy}，用时 {time}；{stopped}</translation>
    </message>
</context>
<context>
    <name>RunTexts</name>
    <message>
        <source>Starting</source>
        <translation>正在启动</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>正在训练</translation>
    </message>
    <message>
        <source>Checking images</source>
        <translation>正在检查图片</translation>
    </message>
    <message>
        <source>Checking image sizes</source>
        <translation>正在检查图片尺寸</translation>
    </message>
    <message>
        <source>Computing features</source>
        <translation>正在计算特征</translation>
    </message>
    <message>
        <source>Recommending</source>
        <translation>正在生成推荐</translation>
    </message>
    <message>
        <source>Recording the dataset</source>
        <translation>正在记录数据集</translation>
    </message>
    <message>
        <source>Calibrating confidence</source>
        <translation>正在校准置信度</translation>
    </message>
    <message>
        <source>Calibrating confidence (out-of-fold)</source>
        <translation>正在校准置信度（折外）</translation>
    </message>
    <message>
        <source>Exporting the network</source>
        <translation>正在导出网络</translation>
    </message>
    <message>
        <source>Preparing calibration images</source>
        <translation>正在准备校准图片</translation>
    </message>
    <message>
        <source>Measuring speed</source>
        <translation>正在测量速度</translation>
    </message>
    <message>
        <source>Checking parity</source>
        <translation>正在检查一致性</translation>
    </message>
    <message>
        <source>Copying the images</source>
        <translation>正在复制图片</translation>
    </message>
    <message>
        <source>Listing the images</source>
        <translation>正在列出图片</translation>
    </message>
    <message>
        <source>Computing training features ({name})</source>
        <translation>正在计算训练集特征（{name}）</translation>
    </message>
    <message>
        <source>Computing validation features ({name})</source>
        <translation>正在计算验证集特征（{name}）</translation>
    </message>
    <message>
        <source>Measuring how well {name} fits your images</source>
        <translation>正在测量 {name} 与你的图片的契合程度</translation>
    </message>
    <message>
        <source>Scoring {name}</source>
        <translation>正在为 {name} 评分</translation>
    </message>
    <message>
        <source>Measuring whether fine-tuning pays: {strategy} on half the sample</source>
        <translation>正在测量微调是否值得：在一半样本上试用“{strategy}”</translation>
    </message>
    <message>
        <source>Quantising ({mode})</source>
        <translation>正在量化（{mode}）</translation>
    </message>
    <message>
        <source>Downloading {name}</source>
        <translation>正在下载 {name}</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} 小时 {minutes} 分</translation>
    </message>
    <message>
        <source>{minutes} min {seconds} s</source>
        <translation>{minutes} 分 {seconds} 秒</translation>
    </message>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <source>{stage}: {done} of {total}</source>
        <translation>{stage}：{done} / {total}</translation>
    </message>
    <message>
        <source>{stage}…</source>
        <translation>{stage}…</translation>
    </message>
    <message>
        <source>Paused at epoch {epoch} of {epochs}</source>
        <translation>已暂停于第 {epoch} 轮（共 {epochs} 轮）</translation>
    </message>
    <message>
        <source>Epoch {epoch} of {epochs}, batch {step} of {steps}</source>
        <translation>第 {epoch} 轮（共 {epochs} 轮），第 {step} 批（共 {steps} 批）</translation>
    </message>
    <message>
        <source>Epoch {epoch} of {epochs}</source>
        <translation>第 {epoch} 轮（共 {epochs} 轮）</translation>
    </message>
</context>
<context>
    <name>RunsPanel</name>
    <message>
        <source>New training run…</source>
        <translation>新建训练…</translation>
    </message>
    <message>
        <source>RUNS</source>
        <translation>训练记录</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>训练记录</translation>
    </message>
    <message>
        <source>Best</source>
        <translation>最佳</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Select a run to see its curves; select a second one (Ctrl+click) to compare.</source>
        <translation>选择一条训练记录查看其曲线；再选一条（Ctrl+单击）即可比较。</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Continue a cancelled run where it stopped: same folder, weights, optimizer and schedule.</source>
        <translation>从已取消的训练记录停下的地方继续：相同的文件夹、权重、优化器和学习率计划。</translation>
    </message>
    <message>
        <source>Fine-tune further</source>
        <translation>进一步微调</translation>
    </message>
    <message>
        <source>Start from this run&apos;s classifier and fine-tune the upper layers (strategy “{name}”).</source>
        <translation>以此训练记录的分类器为起点，微调上层（策略“{name}”）。</translation>
    </message>
    <message>
        <source>Export ONNX…</source>
        <translation>导出 ONNX…</translation>
    </message>
    <message>
        <source>Save the best weights as an .onnx file, checked against PyTorch.</source>
        <translation>将最佳权重保存为 .onnx 文件，并与 PyTorch 对照检查。</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Confusion matrix, per-class metrics and the misclassified images.</source>
        <translation>混淆矩阵、各类别指标以及分类错误的图片。</translation>
    </message>
    <message>
        <source>Export as job…</source>
        <translation>导出为分布式任务…</translation>
    </message>
    <message>
        <source>Write a folder that trains this run with torchrun elsewhere.</source>
        <translation>写出一个文件夹，可在其他机器上用 torchrun 训练此训练记录。</translation>
    </message>
    <message>
        <source>Import run…</source>
        <translation>导入训练记录…</translation>
    </message>
    <message>
        <source>Bring a finished job folder back as a run of this project.</source>
        <translation>将已完成的任务文件夹作为此项目的训练记录导入。</translation>
    </message>
    <message>
        <source>Networks: {networks}</source>
        <translation>网络：{networks}</translation>
    </message>
    <message>
        <source>Folder: {folder}</source>
        <translation>文件夹：{folder}</translation>
    </message>
    <message>
        <source>Cannot be read: {reason}</source>
        <translation>无法读取：{reason}</translation>
    </message>
    <message>
        <source>no run selected</source>
        <translation>未选择训练记录</translation>
    </message>
</context>
<context>
    <name>SeedGrid</name>
    <message>
        <source>Few images, like ImageNet</source>
        <translation>图片少，与 ImageNet 相似</translation>
    </message>
    <message>
        <source>Keep the pretrained network frozen and train a new last layer on its features.</source>
        <translation>保持预训练网络冻结，在其特征上训练新的最后一层。</translation>
    </message>
    <message>
        <source>Many images, like ImageNet</source>
        <translation>图片多，与 ImageNet 相似</translation>
    </message>
    <message>
        <source>Fine-tune every layer from the pretrained weights; there are enough images to adapt them all.</source>
        <translation>从预训练权重出发微调所有层；图片足够多，可以调整全部层。</translation>
    </message>
    <message>
        <source>Few images, unlike ImageNet</source>
        <translation>图片少，与 ImageNet 不同</translation>
    </message>
    <message>
        <source>Freeze the first layers and fine-tune the upper ones gently, at a lower learning rate.</source>
        <translation>冻结前面的层，以较低的学习率温和地微调上层。</translation>
    </message>
    <message>
        <source>Many images, unlike ImageNet</source>
        <translation>图片多，与 ImageNet 不同</translation>
    </message>
    <message>
        <source>Fine-tune every layer; with very many, very different images, train from scratch.</source>
        <translation>微调所有层；若图片非常多且与 ImageNet 差异很大，则从头训练。</translation>
    </message>
    <message>
        <source>Few images per class</source>
        <translation>每类图片少</translation>
    </message>
    <message>
        <source>Many images per class</source>
        <translation>每类图片多</translation>
    </message>
    <message>
        <source>Like ImageNet</source>
        <translation>与 ImageNet 相似</translation>
    </message>
    <message>
        <source>Unlike ImageNet</source>
        <translation>与 ImageNet 不同</translation>
    </message>
    <message>
        <source>● your data</source>
        <translation>● 你的数据</translation>
    </message>
</context>
<context>
    <name>SimilarityStepPage</name>
    <message>
        <source>kNN accuracy</source>
        <translation>k-NN 准确率</translation>
    </message>
    <message>
        <source>Linear probe</source>
        <translation>线性探针</translation>
    </message>
    <message>
        <source>LogME</source>
        <translation>LogME</translation>
    </message>
    <message>
        <source>ImageNet-like</source>
        <translation>ImageNet 相似度</translation>
    </message>
    <message>
        <source>A simple classifier on the best network&apos;s features reaches {accuracy}: the pretrained features already separate your classes very well.</source>
        <translation>基于最佳网络特征的简单分类器达到 {accuracy}：预训练特征已能很好地区分你的类别。</translation>
    </message>
    <message>
        <source>A simple classifier on the best network&apos;s features reaches {accuracy}: the pretrained features separate your classes fairly well; training will improve on this.</source>
        <translation>基于最佳网络特征的简单分类器达到 {accuracy}：预训练特征能较好地区分你的类别；训练会在此基础上进一步提升。</translation>
    </message>
    <message>
        <source>A simple classifier on the best network&apos;s features reaches {accuracy}: your images look unlike what the networks were trained on, so fine-tuning will be needed.</source>
        <translation>基于最佳网络特征的简单分类器达到 {accuracy}：你的图片与这些网络的训练图片差异较大，因此需要微调。</translation>
    </message>
    <message>
        <source>2 · How well do pretrained networks see your classes?</source>
        <translation>2 · 预训练网络能多好地区分你的类别？</translation>
    </message>
    <message>
        <source>Each pretrained network turns up to 60 images per class into features; quick classifiers on those features predict how well training will go.</source>
        <translation>每个预训练网络把每个类别最多 60 张图片转换为特征；基于这些特征的快速分类器可以预测训练效果。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Measure again</source>
        <translation>重新测量</translation>
    </message>
    <message>
        <source>Pretrained network</source>
        <translation>预训练网络</translation>
    </message>
    <message>
        <source>kNN and linear probe: accuracy of simple classifiers on the features, checked on images they did not see. LogME: how much class information the features hold (higher is better). ImageNet-like: how confidently the network recognises ImageNet objects in your images.</source>
        <translation>k-NN 与线性探针：基于特征的简单分类器在未见过的图片上的准确率。LogME：特征包含多少类别信息（越高越好）。ImageNet 相似度：网络在你的图片中识别出 ImageNet 物体的把握有多大。</translation>
    </message>
    <message>
        <source>Measuring… this takes seconds to a minute; the features are cached for training.</source>
        <translation>正在测量… 需要几秒到一分钟；特征会被缓存，供训练使用。</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Done. The recommendation is on the next page.</source>
        <translation>完成。推荐结果在下一页。</translation>
    </message>
    <message>
        <source>Cancelled. Measure again, or go on: the recommendation will use the data size only.</source>
        <translation>已取消。可以重新测量，也可以直接继续：推荐将只依据数据规模。</translation>
    </message>
    <message>
        <source>Measuring failed ({reason}). You can go on without it.</source>
        <translation>测量失败（{reason}）。你可以不依据测量结果继续。</translation>
    </message>
</context>
<context>
    <name>StrategyNames</name>
    <message>
        <source>Auto (measure, then train the best)</source>
        <translation>自动（先测量，再训练最佳策略）</translation>
    </message>
    <message>
        <source>Trains a new head on cached features first, tries a short fine-tune only where it could pay, then trains the best strategy for your aim and time budget.</source>
        <translation>先在缓存特征上训练新分类头，仅在可能值得时尝试短时微调，然后按你的目标和时间预算训练最佳策略。</translation>
    </message>
    <message>
        <source>New head on cached features</source>
        <translation>在缓存特征上训练新分类头</translation>
    </message>
    <message>
        <source>Fastest: the pretrained network reads each image once; a small classifier learns in seconds.</source>
        <translation>最快：预训练网络只读取每张图片一次；小型分类器几秒内即可学会。</translation>
    </message>
    <message>
        <source>New head, frozen network</source>
        <translation>新分类头，冻结网络</translation>
    </message>
    <message>
        <source>Like the above, but images are augmented every epoch: slower, sometimes more robust.</source>
        <translation>与上一项类似，但每轮都对图片做数据增强：更慢，有时更稳健。</translation>
    </message>
    <message>
        <source>Fine-tune the upper layers</source>
        <translation>微调上层</translation>
    </message>
    <message>
        <source>The first k layer groups stay frozen; the upper ones and the head adapt to your images.</source>
        <translation>前 k 个层组保持冻结；上层和分类头会适应你的图片。</translation>
    </message>
    <message>
        <source>Fine-tune every layer</source>
        <translation>微调所有层</translation>
    </message>
    <message>
        <source>Everything adapts, starting from the pretrained weights; needs more images and time.</source>
        <translation>从预训练权重出发，所有层都会调整；需要更多图片和时间。</translation>
    </message>
    <message>
        <source>Train from scratch</source>
        <translation>从头训练</translation>
    </message>
    <message>
        <source>Same network, random start. Needs many images; rarely the best choice.</source>
        <translation>相同的网络，随机初始化。需要大量图片；很少是最佳选择。</translation>
    </message>
    <message>
        <source>Stack several networks</source>
        <translation>堆叠多个网络</translation>
    </message>
    <message>
        <source>Features of several pretrained networks side by side, one head.</source>
        <translation>多个预训练网络的特征并列拼接，共用一个分类头。</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Cached features</source>
        <translation>缓存特征</translation>
    </message>
    <message>
        <source>Frozen network</source>
        <translation>冻结网络</translation>
    </message>
    <message>
        <source>Partial fine-tune</source>
        <translation>部分微调</translation>
    </message>
    <message>
        <source>Full fine-tune</source>
        <translation>完全微调</translation>
    </message>
    <message>
        <source>From scratch</source>
        <translation>从头训练</translation>
    </message>
    <message>
        <source>Stacked networks</source>
        <translation>堆叠网络</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>damaged</source>
        <translation>已损坏</translation>
    </message>
    <message>
        <source>Quickest within a point of the best</source>
        <translation>最快的好模型（与最佳相差不超过 1 个百分点）</translation>
    </message>
    <message>
        <source>Most accurate, whatever it takes</source>
        <translation>最准确（不计代价）</translation>
    </message>
</context>
<context>
    <name>StrategyWizard</name>
    <message>
        <source>New training run</source>
        <translation>新建训练</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
</context>
<context>
    <name>TrainPage</name>
    <message>
        <source>No project open</source>
        <translation>未打开项目</translation>
    </message>
    <message>
        <source>Open or create a project with labelled images, then start a run.</source>
        <translation>请打开或创建一个含已标注图片的项目，然后开始训练。</translation>
    </message>
    <message>
        <source>Start a run with “New training run…”.</source>
        <translation>点击“新建训练…”开始训练。</translation>
    </message>
    <message>
        <source>No training run yet</source>
        <translation>尚无训练记录</translation>
    </message>
    <message>
        <source>Label some images first</source>
        <translation>请先标注图片</translation>
    </message>
    <message>
        <source>Training needs at least two classes with labelled images. Label images in the Data stage, then come back.</source>
        <translation>训练至少需要两个含已标注图片的类别。请在“数据”阶段标注图片后再回来。</translation>
    </message>
    <message>
        <source>A run is in progress</source>
        <translation>正在训练</translation>
    </message>
    <message>
        <source>Wait for the current run to finish, or cancel it, first.</source>
        <translation>请等待当前训练完成，或先将其取消。</translation>
    </message>
    <message>
        <source>Cannot resume this run</source>
        <translation>无法继续此训练记录</translation>
    </message>
    <message>
        <source>Cannot fine-tune this run</source>
        <translation>无法微调此训练记录</translation>
    </message>
    <message>
        <source>Continuing from {folder} (resume).</source>
        <translation>从 {folder} 继续（继续训练）。</translation>
    </message>
    <message>
        <source>Continuing from {folder} (fine-tune).</source>
        <translation>从 {folder} 继续（微调）。</translation>
    </message>
    <message>
        <source>{status}: {epochs} epochs, best validation accuracy {accuracy}.</source>
        <translation>{status}：{epochs} 轮，最佳验证准确率 {accuracy}。</translation>
    </message>
    <message>
        <source>Run {name}</source>
        <translation>训练记录 {name}</translation>
    </message>
    <message>
        <source>Export the model as ONNX</source>
        <translation>将模型导出为 ONNX</translation>
    </message>
    <message>
        <source>ONNX model (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <source>Exporting {run} to {path}…</source>
        <translation>正在将 {run} 导出到 {path}…</translation>
    </message>
    <message>
        <source>Exported {path}</source>
        <translation>已导出 {path}</translation>
    </message>
    <message>
        <source>Export failed its parity check.</source>
        <translation>导出未通过一致性检查。</translation>
    </message>
    <message>
        <source>Model exported</source>
        <translation>模型已导出</translation>
    </message>
    <message>
        <source>Export failed its parity check</source>
        <translation>导出未通过一致性检查</translation>
    </message>
    <message>
        <source>Exporting: {stage}</source>
        <translation>正在导出：{stage}</translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written.</source>
        <translation>导出已取消；未写入任何内容。</translation>
    </message>
    <message>
        <source>Export failed.</source>
        <translation>导出失败。</translation>
    </message>
    <message>
        <source>Export failed: {message}</source>
        <translation>导出失败：{message}</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
</context>
<context>
    <name>TrainingPanel</name>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <source>Elapsed</source>
        <translation>已用时间</translation>
    </message>
    <message>
        <source>Best validation</source>
        <translation>最佳验证</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The run&apos;s log appears here.</source>
        <translation>训练日志显示在这里。</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>正在训练</translation>
    </message>
    <message>
        <source>Training: {strategy} on {networks}</source>
        <translation>正在训练：{strategy}，主干网络 {networks}</translation>
    </message>
    <message>
        <source>Training cancelled</source>
        <translation>训练已取消</translation>
    </message>
    <message>
        <source>Training finished</source>
        <translation>训练完成</translation>
    </message>
    <message>
        <source>Training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <source>No training run yet</source>
        <translation>尚无训练记录</translation>
    </message>
    <message>
        <source>Cancelling… (the best weights so far are kept)</source>
        <translation>正在取消…（保留目前为止的最佳权重）</translation>
    </message>
    <message>
        <source>{status}. {best}</source>
        <translation>{status}。{best}</translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <source>Start a run with “New training run…”.</source>
        <translation>点击“新建训练…”开始训练。</translation>
    </message>
    <message>
        <source>Cancel requested.</source>
        <translation>已请求取消。</translation>
    </message>
    <message>
        <source>{speed} images/s</source>
        <translation>{speed} 张/秒</translation>
    </message>
    <message>
        <source>{accuracy} (epoch {epoch})</source>
        <translation>{accuracy}（第 {epoch} 轮）</translation>
    </message>
    <message>
        <source>{memory} MB</source>
        <translation>{memory} MB</translation>
    </message>
    <message>
        <source>{memory} MB, GPU {gpu} MB</source>
        <translation>{memory} MB，GPU {gpu} MB</translation>
    </message>
    <message>
        <source>Run started.</source>
        <translation>训练已开始。</translation>
    </message>
    <message>
        <source>Training failed:</source>
        <translation>训练失败：</translation>
    </message>
    <message>
        <source>No epoch finished, so no weights were kept.</source>
        <translation>没有完成任何一轮，因此未保留权重。</translation>
    </message>
</context>
<context>
    <name>TrainingPlots</name>
    <message>
        <source>epoch</source>
        <translation>轮</translation>
    </message>
    <message>
        <source>{run} (validation loss)</source>
        <translation>{run}（验证损失）</translation>
    </message>
    <message>
        <source>{run} (validation accuracy)</source>
        <translation>{run}（验证准确率）</translation>
    </message>
    <message>
        <source>{run} (train accuracy)</source>
        <translation>{run}（训练准确率）</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>batch loss</source>
        <translation>批次损失</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>best</source>
        <translation>最佳</translation>
    </message>
</context>
</TS>
