<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>PredictionWorkers</name>
    <message>
        <source>Opening the model</source>
        <translation>正在打开模型</translation>
    </message>
    <message>
        <source>{count} classes</source>
        <translation>{count} 个类别</translation>
    </message>
    <message>
        <source>{accuracy} validation accuracy</source>
        <translation>验证准确率 {accuracy}</translation>
    </message>
    <message>
        <source>Looking for images</source>
        <translation>正在查找图片</translation>
    </message>
</context>
<context>
    <name>RecommendWorker</name>
    <message>
        <source>Similarity was not measured. {reason}</source>
        <translation>未测量相似度。{reason}</translation>
    </message>
    <message>
        <source>Reading the layers of {backbone}</source>
        <translation>正在读取 {backbone} 的层</translation>
    </message>
</context>
</TS>
