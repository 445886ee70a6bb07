<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AppState</name>
    <message>
        <source>Cannot open the project</source>
        <translation>无法打开项目</translation>
    </message>
    <message>
        <source>{reason}

Nothing was changed.</source>
        <translation>{reason}

未做任何更改。</translation>
    </message>
    <message>
        <source>Cannot create the project</source>
        <translation>无法创建项目</translation>
    </message>
    <message>
        <source>Cannot save the project</source>
        <translation>无法保存项目</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>Open or create a project first.</source>
        <translation>请先打开或创建一个项目。</translation>
    </message>
    <message>
        <source>No project open</source>
        <translation>未打开项目</translation>
    </message>
    <message>
        <source>Create or open a project first (File › New Project…), then drop the images again.</source>
        <translation>请先创建或打开一个项目（文件 › 新建项目…），然后再次拖放图片。</translation>
    </message>
    <message>
        <source>Please wait</source>
        <translation>请稍候</translation>
    </message>
    <message>
        <source>Another import or export is still running; wait for it or cancel it in the status bar.</source>
        <translation>另一个导入或导出仍在进行；请等待其完成，或在状态栏中取消它。</translation>
    </message>
    <message>
        <source>Some images were not exported</source>
        <translation>部分图片未能导出</translation>
    </message>
    <message>
        <source>Check the imported folder</source>
        <translation>请检查导入的文件夹</translation>
    </message>
    <message>
        <source>The import or export failed</source>
        <translation>导入或导出失败</translation>
    </message>
    <message>
        <source>Autosave failed</source>
        <translation>自动保存失败</translation>
    </message>
</context>
<context>
    <name>Autosave</name>
    <message>
        <source>Could not save the project file {path}: {reason}.
Your changes are kept in memory; check the free disk space and the folder&apos;s permissions, then press Ctrl+S to save again.</source>
        <translation>无法保存项目文件 {path}：{reason}。
您的更改仍保留在内存中；请检查磁盘剩余空间和该文件夹的权限，然后按 Ctrl+S 重新保存。</translation>
    </message>
</context>
<context>
    <name>JobMessages</name>
    <message>
        <source>Importing dataset</source>
        <translation>正在导入数据集</translation>
    </message>
    <message>
        <source>Importing images</source>
        <translation>正在导入图片</translation>
    </message>
    <message>
        <source>Exporting</source>
        <translation>正在导出</translation>
    </message>
    <message>
        <source>Checking files</source>
        <translation>正在检查文件</translation>
    </message>
    <message>
        <source>{action}. Ctrl+Z undoes it.</source>
        <translation>{action}。按 Ctrl+Z 可撤销。</translation>
    </message>
    <message>
        <source>Imported {count} images</source>
        <translation>已导入 {count} 张图片</translation>
    </message>
    <message>
        <source>Imported {count} images into 1 class</source>
        <translation>已导入 {count} 张图片，共 1 个类别</translation>
    </message>
    <message>
        <source>Imported {count} images into {classes} classes</source>
        <translation>已导入 {count} 张图片，共 {classes} 个类别</translation>
    </message>
    <message>
        <source>{done} ({broken} unreadable, {duplicates} already in the project)</source>
        <translation>{done}（{broken} 张无法读取，{duplicates} 张已在项目中）</translation>
    </message>
    <message>
        <source>{done} ({broken} unreadable)</source>
        <translation>{done}（{broken} 张无法读取）</translation>
    </message>
    <message>
        <source>{done} ({duplicates} already in the project)</source>
        <translation>{done}（{duplicates} 张已在项目中）</translation>
    </message>
    <message>
        <source>Export cancelled; the images copied so far stay in {folder}.</source>
        <translation>导出已取消；已复制的图片保留在 {folder} 中。</translation>
    </message>
    <message>
        <source>Check cancelled; nothing was changed.</source>
        <translation>检查已取消；未做任何更改。</translation>
    </message>
    <message>
        <source>Import cancelled; nothing was added.</source>
        <translation>导入已取消；未添加任何内容。</translation>
    </message>
    <message>
        <source>{fixed} of {count} files can be read now.</source>
        <translation>{count} 个文件中有 {fixed} 个现在可以读取了。</translation>
    </message>
    <message>
        <source>Exported {count} images to {folder}</source>
        <translation>已将 {count} 张图片导出到 {folder}</translation>
    </message>
    <message>
        <source>{count} images could not be copied to {folder}:
{files}
Check that the files still exist and retry.</source>
        <translation>有 {count} 张图片无法复制到 {folder}：
{files}
请确认这些文件仍然存在，然后重试。</translation>
    </message>
    <message>
        <source>(and {count} more)</source>
        <translation>（还有 {count} 条）</translation>
    </message>
</context>
<context>
    <name>UndoCommands</name>
    <message>
        <source>Label 1 image as “{label}”</source>
        <translation>将 1 张图片标注为“{label}”</translation>
    </message>
    <message>
        <source>Label {count} images as “{label}”</source>
        <translation>将 {count} 张图片标注为“{label}”</translation>
    </message>
    <message>
        <source>Unlabel 1 image</source>
        <translation>取消 1 张图片的标签</translation>
    </message>
    <message>
        <source>Unlabel {count} images</source>
        <translation>取消 {count} 张图片的标签</translation>
    </message>
    <message>
        <source>Import 1 image</source>
        <translation>导入 1 张图片</translation>
    </message>
    <message>
        <source>Import {count} images</source>
        <translation>导入 {count} 张图片</translation>
    </message>
    <message>
        <source>New class “{name}”</source>
        <translation>新建类别“{name}”</translation>
    </message>
    <message>
        <source>Rename “{old}” to “{new}”</source>
        <translation>将“{old}”重命名为“{new}”</translation>
    </message>
    <message>
        <source>Delete class “{name}”</source>
        <translation>删除类别“{name}”</translation>
    </message>
    <message>
        <source>Merge “{source}” into “{target}”</source>
        <translation>将“{source}”合并到“{target}”</translation>
    </message>
    <message>
        <source>Exclude 1 image from training</source>
        <translation>将 1 张图片排除在训练之外</translation>
    </message>
    <message>
        <source>Exclude {count} images from training</source>
        <translation>将 {count} 张图片排除在训练之外</translation>
    </message>
    <message>
        <source>Include 1 image in training</source>
        <translation>将 1 张图片重新纳入训练</translation>
    </message>
    <message>
        <source>Include {count} images in training</source>
        <translation>将 {count} 张图片重新纳入训练</translation>
    </message>
    <message>
        <source>Move 1 image to validation</source>
        <translation>将 1 张图片移到验证集</translation>
    </message>
    <message>
        <source>Move {count} images to validation</source>
        <translation>将 {count} 张图片移到验证集</translation>
    </message>
    <message>
        <source>Move 1 image to training</source>
        <translation>将 1 张图片移到训练集</translation>
    </message>
    <message>
        <source>Move {count} images to training</source>
        <translation>将 {count} 张图片移到训练集</translation>
    </message>
    <message>
        <source>Dismiss a finding</source>
        <translation>忽略一个问题</translation>
    </message>
</context>
</TS>
