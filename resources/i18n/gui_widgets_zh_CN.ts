<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Dialogs</name>
    <message>
        <source>Ctrl+N</source>
        <translation>Ctrl+N</translation>
    </message>
    <message>
        <source>New project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <source>Ctrl+O</source>
        <translation>Ctrl+O</translation>
    </message>
    <message>
        <source>Open a project, or a dataset folder to import</source>
        <translation>打开项目，或导入数据集文件夹</translation>
    </message>
    <message>
        <source>Ctrl+I</source>
        <translation>Ctrl+I</translation>
    </message>
    <message>
        <source>Import images</source>
        <translation>导入图片</translation>
    </message>
    <message>
        <source>Ctrl+Shift+I</source>
        <translation>Ctrl+Shift+I</translation>
    </message>
    <message>
        <source>Import a folder</source>
        <translation>导入文件夹</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Export labelled dataset</source>
        <translation>导出已标注的数据集</translation>
    </message>
    <message>
        <source>Ctrl+S</source>
        <translation>Ctrl+S</translation>
    </message>
    <message>
        <source>Save now (changes are saved automatically)</source>
        <translation>立即保存（更改会自动保存）</translation>
    </message>
    <message>
        <source>Ctrl+Z / Ctrl+Shift+Z</source>
        <translation>Ctrl+Z / Ctrl+Shift+Z</translation>
    </message>
    <message>
        <source>Undo / redo</source>
        <translation>撤销 / 重做</translation>
    </message>
    <message>
        <source>1 – 9</source>
        <translation>1 – 9</translation>
    </message>
    <message>
        <source>Label the selected images with class 1 – 9</source>
        <translation>将所选图片标注为类别 1 – 9</translation>
    </message>
    <message>
        <source>0</source>
        <translation>0</translation>
    </message>
    <message>
        <source>Unlabel the selected images</source>
        <translation>取消所选图片的标签</translation>
    </message>
    <message>
        <source>Ctrl+A</source>
        <translation>Ctrl+A</translation>
    </message>
    <message>
        <source>Select all images shown</source>
        <translation>选择显示的全部图片</translation>
    </message>
    <message>
        <source>Enter / double-click</source>
        <translation>Enter / 双击</translation>
    </message>
    <message>
        <source>Open the image viewer</source>
        <translation>打开图片查看器</translation>
    </message>
    <message>
        <source>Ctrl+F</source>
        <translation>Ctrl+F</translation>
    </message>
    <message>
        <source>Search file names</source>
        <translation>搜索文件名</translation>
    </message>
    <message>
        <source>Ctrl+Plus / Ctrl+Minus</source>
        <translation>Ctrl+加号 / Ctrl+减号</translation>
    </message>
    <message>
        <source>Bigger / smaller thumbnails</source>
        <translation>放大 / 缩小缩略图</translation>
    </message>
    <message>
        <source>F2</source>
        <translation>F2</translation>
    </message>
    <message>
        <source>Rename the selected class</source>
        <translation>重命名所选类别</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Delete</translation>
    </message>
    <message>
        <source>Delete the selected class (images become unlabeled)</source>
        <translation>删除所选类别（其图片变为未标注）</translation>
    </message>
    <message>
        <source>Ctrl+1 … Ctrl+4</source>
        <translation>Ctrl+1 … Ctrl+4</translation>
    </message>
    <message>
        <source>Go to Data, Train, Evaluate, Predict</source>
        <translation>转到数据、训练、评估、预测</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Turn a folder of your own images into an image classifier by transfer learning, offline.</source>
        <translation>通过迁移学习，离线地把您自己的图片文件夹变成一个图片分类器。</translation>
    </message>
    <message>
        <source>About Transfer Studio</source>
        <translation>关于 Transfer Studio</translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <source>Drop images or folders here</source>
        <translation>将图片或文件夹拖放到这里</translation>
    </message>
    <message>
        <source>Or use the buttons below. A folder with one sub-folder per class is imported already labelled; your files stay where they are.</source>
        <translation>或使用下面的按钮。每个类别各有一个子文件夹的文件夹会以已标注的形式导入；您的文件保持原位不动。</translation>
    </message>
    <message>
        <source>No images here</source>
        <translation>这里没有图片</translation>
    </message>
    <message>
        <source>Nothing matches this filter or search. Pick another class on the left, or clear the search.</source>
        <translation>没有符合此筛选或搜索的图片。请在左侧选择其他类别，或清除搜索。</translation>
    </message>
    <message>
        <source>Import Images…</source>
        <translation>导入图片…</translation>
    </message>
    <message>
        <source>Import Folder…</source>
        <translation>导入文件夹…</translation>
    </message>
</context>
<context>
    <name>JobProgressWidget</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>{job}…</source>
        <translation>{job}…</translation>
    </message>
    <message>
        <source>{job}… {count} found</source>
        <translation>{job}… 已找到 {count} 个</translation>
    </message>
    <message>
        <source>{job}… {done} / {total}</source>
        <translation>{job}… {done} / {total}</translation>
    </message>
</context>
<context>
    <name>WarningsBox</name>
    <message>
        <source>…and {count} more.</source>
        <translation>……还有 {count} 条。</translation>
    </message>
    <message>
        <source>Ready to train: {train} training and {val} validation images in {classes} classes.</source>
        <translation>可以训练了：{classes} 个类别，训练集 {train} 张图片，验证集 {val} 张图片。</translation>
    </message>
    <message>
        <source>BEFORE YOU TRAIN</source>
        <translation>训练前请注意</translation>
    </message>
    <message>
        <source>SUMMARY</source>
        <translation>概要</translation>
    </message>
</context>
</TS>
