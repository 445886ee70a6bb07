<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>PredictPage</name>
    <message>
        <source>No model open. Open an exported .onnx file, or drop one here.</source>
        <translation>未打开模型。请打开导出的 .onnx 文件，或将其拖放到此处。</translation>
    </message>
    <message>
        <source>Open model…</source>
        <translation>打开模型…</translation>
    </message>
    <message>
        <source>top </source>
        <translation>前 </translation>
    </message>
    <message>
        <source>Save as CSV…</source>
        <translation>保存为 CSV…</translation>
    </message>
    <message>
        <source>Drop images here for their top classes, or a folder for a table.</source>
        <translation>将图片拖放到此处查看最可能的类别，或拖入文件夹生成表格。</translation>
    </message>
    <message>
        <source>Open an exported model</source>
        <translation>打开导出的模型</translation>
    </message>
    <message>
        <source>ONNX model (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <source>Opening {path}…</source>
        <translation>正在打开 {path}…</translation>
    </message>
    <message>
        <source>Open a model first</source>
        <translation>请先打开模型</translation>
    </message>
    <message>
        <source>Open an exported .onnx model, then drop the images again.</source>
        <translation>请打开导出的 .onnx 模型，然后再次拖放图片。</translation>
    </message>
    <message>
        <source>Model: {description}</source>
        <translation>模型：{description}</translation>
    </message>
    <message>
        <source>{name} was exported before &apos;none of my classes&apos; existed: every image gets one of its classes. Export the run again to add rejection.</source>
        <translation>{name} 导出于“不属于任何类别”功能推出之前：每张图片都会被归入它的某个类别。重新导出该训练记录即可加入拒绝功能。</translation>
    </message>
    <message>
        <source>Prediction failed</source>
        <translation>预测失败</translation>
    </message>
    <message>
        <source>Save predictions</source>
        <translation>保存预测结果</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Could not save the predictions</source>
        <translation>无法保存预测结果</translation>
    </message>
</context>
<context>
    <name>PredictionCard</name>
    <message>
        <source>Unknown: none of my classes</source>
        <translation>未知（不属于任何类别）</translation>
    </message>
    <message>
        <source>unknown score {score} (rejection off)</source>
        <translation>未知分数 {score}（拒绝已关闭）</translation>
    </message>
    <message>
        <source>unknown score {score} (threshold {threshold})</source>
        <translation>未知分数 {score}（阈值 {threshold}）</translation>
    </message>
    <message>
        <source>Could not be read</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <source>Nearest classes:</source>
        <translation>最接近的类别：</translation>
    </message>
</context>
<context>
    <name>RejectionSetting</name>
    <message>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Auto: an image is &apos;none of my classes&apos; when its unknown score is above 1.00, the threshold that accepts 95% of the validation images. Custom: a higher threshold rejects fewer images.</source>
        <translation>自动：图片的未知分数高于 1.00（可接受 95% 验证图片的阈值）时，判为“不属于任何类别”。自定义：阈值越高，拒绝的图片越少。</translation>
    </message>
    <message>
        <source>Unknowns:</source>
        <translation>未知图片：</translation>
    </message>
    <message>
        <source>The unknown score above which an image is &apos;none of my classes&apos;.</source>
        <translation>未知分数高于此值的图片判为“不属于任何类别”。</translation>
    </message>
</context>
<context>
    <name>ResultsTable</name>
    <message>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>Second class</source>
        <translation>第二可能类别</translation>
    </message>
    <message>
        <source>Unknown score</source>
        <translation>未知分数</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>All images</source>
        <translation>全部图片</translation>
    </message>
    <message>
        <source>Unknown only</source>
        <translation>仅未知</translation>
    </message>
    <message>
        <source>Known only</source>
        <translation>仅已知</translation>
    </message>
    <message>
        <source>Unknown · nearest: {label}</source>
        <translation>未知 · 最接近：{label}</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>{shown} of {total} shown · {unknown} unknown (none of my classes)</source>
        <translation>显示 {shown} / {total} 张 · {unknown} 张未知（不属于任何类别）</translation>
    </message>
</context>
</TS>
