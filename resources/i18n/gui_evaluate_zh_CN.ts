<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ConfidenceView</name>
    <message>
        <source>This run was trained before calibration; train again (or export it) to measure confidence.</source>
        <translation>此训练记录早于校准功能；请重新训练（或导出）以测量置信度。</translation>
    </message>
    <message>
        <source>the validation images</source>
        <translation>验证集图片</translation>
    </message>
    <message>
        <source>out-of-fold predictions on the training images</source>
        <translation>训练集图片的折外预测结果</translation>
    </message>
    <message>
        <source>How well the model notices a kind of image it never saw: each class in turn is left out and treated as unknown (1.00: always told apart, 0.50: chance).</source>
        <translation>模型能否察觉从未见过的图片种类：依次留出每个类别并将其视为未知（1.00：总能区分，0.50：相当于随机）。</translation>
    </message>
    <message>
        <source>noise {number}</source>
        <translation>噪声 {number}</translation>
    </message>
    <message>
        <source>blurred photo {number}</source>
        <translation>模糊照片 {number}</translation>
    </message>
    <message>
        <source>black</source>
        <translation>黑色</translation>
    </message>
    <message>
        <source>white</source>
        <translation>白色</translation>
    </message>
    <message>
        <source>grey</source>
        <translation>灰色</translation>
    </message>
    <message>
        <source>red</source>
        <translation>红色</translation>
    </message>
    <message>
        <source>green</source>
        <translation>绿色</translation>
    </message>
    <message>
        <source>blue</source>
        <translation>蓝色</translation>
    </message>
    <message>
        <source>Temperature T = {temperature}, fitted on {held_out} ({count} images). T &gt; 1 softens overconfident probabilities.</source>
        <translation>温度 T = {temperature}，基于{held_out}拟合（{count} 张图片）。T &gt; 1 会缓和过度自信的概率。</translation>
    </message>
    <message>
        <source>Temperature T = {temperature}, fitted on {held_out} ({count} images). T &lt; 1 sharpens underconfident probabilities.</source>
        <translation>温度 T = {temperature}，基于{held_out}拟合（{count} 张图片）。T &lt; 1 会锐化信心不足的概率。</translation>
    </message>
    <message>
        <source>Expected calibration error on the {count} validation images {ece_before} → {ece_after} (90% interval {low}–{high}) · negative log-likelihood {nll_before} → {nll_after}. Accuracy is unchanged.</source>
        <translation>{count} 张验证图片上的期望校准误差（ECE）{ece_before} → {ece_after}（90% 区间 {low}–{high}）· 负对数似然 {nll_before} → {nll_after}。准确率不变。</translation>
    </message>
    <message>
        <source>ECE is unreliable with fewer than {minimum} validation images (this run has {count}): read the figures as rough.</source>
        <translation>验证图片少于 {minimum} 张时 ECE 不可靠（此训练记录有 {count} 张）：这些数字仅供粗略参考。</translation>
    </message>
    <message>
        <source>At the chosen threshold ({threshold}, picked to accept 95% of the validation images without any outlier data) {rate} of the validation images are answered &apos;none of my classes&apos; (false rejects).</source>
        <translation>在选定的阈值（{threshold}，无需任何离群数据，按接受 95% 验证图片选取）下，{rate} 的验证图片被判为“不属于任何类别”（误拒）。</translation>
    </message>
    <message>
        <source>Generated junk (noise, blank, solid colours, heavy blur) rejected: {rate} of {count}; accepted as a class: {missed}.</source>
        <translation>生成的干扰图片（噪声、空白、纯色、重度模糊）拒绝率：{rate}（共 {count} 张）；被误判为某个类别的：{missed}。</translation>
    </message>
    <message>
        <source>Generated junk (noise, blank, solid colours, heavy blur) rejected: {rate} of {count}.</source>
        <translation>生成的干扰图片（噪声、空白、纯色、重度模糊）拒绝率：{rate}（共 {count} 张）。</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>Class left out</source>
        <translation>留出的类别</translation>
    </message>
    <message>
        <source>AUROC</source>
        <translation>AUROC</translation>
    </message>
    <message>
        <source>The confidence figures cannot be shown: {reason}</source>
        <translation>无法显示置信度图表：{reason}</translation>
    </message>
    <message>
        <source>This run has no &apos;none of my classes&apos; model (it had no training embeddings).</source>
        <translation>此训练记录没有“不属于任何类别”的判断模型（它没有训练图片的嵌入向量）。</translation>
    </message>
    <message>
        <source>The rejection trade-off was not measured for this run; train again to measure it.</source>
        <translation>此训练记录未测量拒绝权衡；请重新训练以测量。</translation>
    </message>
    <message>
        <source>class {index}</source>
        <translation>类别 {index}</translation>
    </message>
</context>
<context>
    <name>ConfusionMatrixWidget</name>
    <message>
        <source>1 image of “{true}” predicted as “{predicted}”. Click to see it.</source>
        <translation>1 张“{true}”的图片被预测为“{predicted}”。点击查看。</translation>
    </message>
    <message>
        <source>{count} images of “{true}” predicted as “{predicted}”. Click to see them.</source>
        <translation>{count} 张“{true}”的图片被预测为“{predicted}”。点击查看。</translation>
    </message>
    <message>
        <source>Predicted class</source>
        <translation>预测类别</translation>
    </message>
    <message>
        <source>True class</source>
        <translation>真实类别</translation>
    </message>
</context>
<context>
    <name>EvaluationPage</name>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>精确率</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>召回率</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图片数</translation>
    </message>
    <message>
        <source>Train a model first; its validation results appear here.</source>
        <translation>请先训练模型；它的验证结果会显示在这里。</translation>
    </message>
    <message>
        <source>Click a cell of the matrix to see its images.</source>
        <translation>点击混淆矩阵的单元格查看其中的图片。</translation>
    </message>
    <message>
        <source>accuracy ?</source>
        <translation>准确率 ?</translation>
    </message>
    <message>
        <source>Run:</source>
        <translation>训练记录：</translation>
    </message>
    <message>
        <source>Open run folder…</source>
        <translation>打开训练记录文件夹…</translation>
    </message>
    <message>
        <source>Relabel as</source>
        <translation>重新标注为</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Wrong predictions, the most confidently wrong first. If the label was the mistake, select the image and relabel it.</source>
        <translation>预测错误的图片，最有把握的错误排在最前。如果是标签错了，请选中图片并重新标注。</translation>
    </message>
    <message>
        <source>Per class</source>
        <translation>各类别</translation>
    </message>
    <message>
        <source>Selected cell</source>
        <translation>所选单元格</translation>
    </message>
    <message>
        <source>Misclassified</source>
        <translation>分类错误</translation>
    </message>
    <message>
        <source>Misclassified ({count})</source>
        <translation>分类错误（{count}）</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <source>Open a run folder</source>
        <translation>打开训练记录文件夹</translation>
    </message>
    <message>
        <source>This run&apos;s validation results cannot be shown: {reason}</source>
        <translation>无法显示此训练记录的验证结果：{reason}</translation>
    </message>
    <message>
        <source>{true} → {predicted}
{probability} sure</source>
        <translation>{true} → {predicted}
置信度 {probability}</translation>
    </message>
    <message>
        <source>now labelled {label}</source>
        <translation>现标注为 {label}</translation>
    </message>
    <message>
        <source>{path}
labelled {true}, predicted {predicted} ({probability}), loss {loss}</source>
        <translation>{path}
标签 {true}，预测 {predicted}（{probability}），损失 {loss}</translation>
    </message>
    <message>
        <source>Open the run&apos;s project to relabel images.</source>
        <translation>打开该训练记录所属的项目后才能重新标注图片。</translation>
    </message>
    <message>
        <source>These images are no longer in the project.</source>
        <translation>这些图片已不在项目中。</translation>
    </message>
    <message>
        <source>Relabelled 1 image as “{label}”. Retrain to use the new label.</source>
        <translation>已将 1 张图片重新标注为“{label}”。重新训练以使用新标签。</translation>
    </message>
    <message>
        <source>Relabelled {count} images as “{label}”. Retrain to use the new labels.</source>
        <translation>已将 {count} 张图片重新标注为“{label}”。重新训练以使用新标签。</translation>
    </message>
    <message>
        <source>1 image changed or gone: {path}: {reason}.</source>
        <translation>1 张图片已更改或不存在：{path}：{reason}。</translation>
    </message>
    <message>
        <source>{count} images changed or gone, e.g. {path}: {reason}.</source>
        <translation>{count} 张图片已更改或不存在，例如 {path}：{reason}。</translation>
    </message>
    <message>
        <source>Accuracy {accuracy} on {count} validation images (from the best epoch, {epoch}); {wrong} wrong. Click a cell to see its images.</source>
        <translation>{count} 张验证图片上的准确率为 {accuracy}（取自最佳轮次，第 {epoch} 轮）；错误 {wrong} 张。点击单元格查看其中的图片。</translation>
    </message>
    <message>
        <source>{count} images of “{true}” predicted as “{predicted}” (correct).</source>
        <translation>{count} 张“{true}”图片被预测为“{predicted}”（正确）。</translation>
    </message>
    <message>
        <source>{count} images of “{true}” predicted as “{predicted}” (wrong).</source>
        <translation>{count} 张“{true}”图片被预测为“{predicted}”（错误）。</translation>
    </message>
</context>
<context>
    <name>RejectionCurve</name>
    <message>
        <source>Rejection trade-off on validation images</source>
        <translation>验证图片上的拒绝权衡</translation>
    </message>
    <message>
        <source>threshold on the unknown score</source>
        <translation>未知分数的阈值</translation>
    </message>
    <message>
        <source>validation images rejected (%)</source>
        <translation>被拒绝的验证图片（%）</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <source>chosen threshold {threshold}: {rate} rejected</source>
        <translation>选定阈值 {threshold}：拒绝 {rate}</translation>
    </message>
</context>
<context>
    <name>ReliabilityDiagram</name>
    <message>
        <source>Reliability: accuracy per confidence bin</source>
        <translation>可靠性：各置信度区间的准确率</translation>
    </message>
    <message>
        <source>confidence</source>
        <translation>置信度</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>perfectly calibrated</source>
        <translation>完美校准</translation>
    </message>
    <message>
        <source>before calibration</source>
        <translation>校准前</translation>
    </message>
    <message>
        <source>after calibration</source>
        <translation>校准后</translation>
    </message>
</context>
</TS>
