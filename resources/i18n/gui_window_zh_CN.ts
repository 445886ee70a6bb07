<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>MainStatusBar</name>
    <message>
        <source>All changes saved</source>
        <translation>所有更改已保存</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>{images} images · {labelled} labelled · {classes} classes</source>
        <translation>{images} 张图片 · {labelled} 张已标注 · {classes} 个类别</translation>
    </message>
    <message>
        <source>No project open</source>
        <translation>未打开项目</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>The translation file for {language} is missing from {folder}. Reinstall the app, or run `python tasks.py translations`.</source>
        <translation>{folder} 中缺少 {language} 的翻译文件。请重新安装本应用，或运行 `python tasks.py translations`。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>No recent projects</source>
        <translation>没有最近的项目</translation>
    </message>
    <message>
        <source>Label as “{name}”</source>
        <translation>标注为“{name}”</translation>
    </message>
    <message>
        <source>Label as Class {number}</source>
        <translation>标注为类别 {number}</translation>
    </message>
    <message>
        <source>Unlabel Selection</source>
        <translation>取消所选图片的标签</translation>
    </message>
    <message>
        <source>Quit without saving?</source>
        <translation>不保存就退出？</translation>
    </message>
    <message>
        <source>The last changes could not be saved (see the previous message). Quit anyway and lose them?</source>
        <translation>最近的更改未能保存（见上一条消息）。仍要退出并丢失这些更改吗？</translation>
    </message>
    <message>
        <source>&amp;New Project…</source>
        <translation>新建项目(&amp;N)…</translation>
    </message>
    <message>
        <source>New Project ({shortcut})</source>
        <translation>新建项目（{shortcut}）</translation>
    </message>
    <message>
        <source>Create a project in a folder you choose</source>
        <translation>在您选择的文件夹中创建项目</translation>
    </message>
    <message>
        <source>&amp;Open Project or Dataset Folder…</source>
        <translation>打开项目或数据集文件夹(&amp;O)…</translation>
    </message>
    <message>
        <source>Open Project or Dataset Folder ({shortcut})</source>
        <translation>打开项目或数据集文件夹（{shortcut}）</translation>
    </message>
    <message>
        <source>Open a project, or import a folder of images as a new project</source>
        <translation>打开项目，或将一个图片文件夹导入为新项目</translation>
    </message>
    <message>
        <source>&amp;Import Images…</source>
        <translation>导入图片(&amp;I)…</translation>
    </message>
    <message>
        <source>Import Images ({shortcut})</source>
        <translation>导入图片（{shortcut}）</translation>
    </message>
    <message>
        <source>Import &amp;Folder…</source>
        <translation>导入文件夹(&amp;F)…</translation>
    </message>
    <message>
        <source>Import Folder ({shortcut})</source>
        <translation>导入文件夹（{shortcut}）</translation>
    </message>
    <message>
        <source>&amp;Export Labelled Dataset as Folders…</source>
        <translation>将已标注数据集导出为文件夹(&amp;E)…</translation>
    </message>
    <message>
        <source>Export Labelled Dataset as Folders ({shortcut})</source>
        <translation>将已标注数据集导出为文件夹（{shortcut}）</translation>
    </message>
    <message>
        <source>Copy the labelled images into one folder per class</source>
        <translation>将已标注的图片按类别复制到各自的文件夹</translation>
    </message>
    <message>
        <source>Import &amp;Backbone Weights…</source>
        <translation>导入主干网络权重(&amp;B)…</translation>
    </message>
    <message>
        <source>Import Backbone Weights ({shortcut})</source>
        <translation>导入主干网络权重（{shortcut}）</translation>
    </message>
    <message>
        <source>Use a .pth or .safetensors file you have as a backbone&apos;s pretrained weights</source>
        <translation>将您已有的 .pth 或 .safetensors 文件用作主干网络的预训练权重</translation>
    </message>
    <message>
        <source>&amp;Save Now</source>
        <translation>立即保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save Now ({shortcut})</source>
        <translation>立即保存（{shortcut}）</translation>
    </message>
    <message>
        <source>Changes are saved automatically; this saves now</source>
        <translation>更改会自动保存；此命令立即保存</translation>
    </message>
    <message>
        <source>&amp;Close Project</source>
        <translation>关闭项目(&amp;C)</translation>
    </message>
    <message>
        <source>Close Project ({shortcut})</source>
        <translation>关闭项目（{shortcut}）</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Quit ({shortcut})</source>
        <translation>退出（{shortcut}）</translation>
    </message>
    <message>
        <source>Select &amp;All Images</source>
        <translation>全选图片(&amp;A)</translation>
    </message>
    <message>
        <source>Select All Images ({shortcut})</source>
        <translation>全选图片（{shortcut}）</translation>
    </message>
    <message>
        <source>&amp;Find by File Name</source>
        <translation>按文件名查找(&amp;F)</translation>
    </message>
    <message>
        <source>Find by File Name ({shortcut})</source>
        <translation>按文件名查找（{shortcut}）</translation>
    </message>
    <message>
        <source>&amp;Bigger Thumbnails</source>
        <translation>放大缩略图(&amp;B)</translation>
    </message>
    <message>
        <source>Bigger Thumbnails ({shortcut})</source>
        <translation>放大缩略图（{shortcut}）</translation>
    </message>
    <message>
        <source>&amp;Smaller Thumbnails</source>
        <translation>缩小缩略图(&amp;S)</translation>
    </message>
    <message>
        <source>Smaller Thumbnails ({shortcut})</source>
        <translation>缩小缩略图（{shortcut}）</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>Keyboard Shortcuts ({shortcut})</source>
        <translation>键盘快捷键（{shortcut}）</translation>
    </message>
    <message>
        <source>&amp;About Transfer Studio</source>
        <translation>关于 Transfer Studio(&amp;A)</translation>
    </message>
    <message>
        <source>About Transfer Studio ({shortcut})</source>
        <translation>关于 Transfer Studio（{shortcut}）</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Label</source>
        <translation>标注(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Undo {action}</source>
        <translation>撤销“{action}”(&amp;U)</translation>
    </message>
    <message>
        <source>Undo {action} ({shortcut})</source>
        <translation>撤销“{action}”（{shortcut}）</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>Undo ({shortcut})</source>
        <translation>撤销（{shortcut}）</translation>
    </message>
    <message>
        <source>&amp;Redo {action}</source>
        <translation>重做“{action}”(&amp;R)</translation>
    </message>
    <message>
        <source>Redo {action} ({shortcut})</source>
        <translation>重做“{action}”（{shortcut}）</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Redo ({shortcut})</source>
        <translation>重做（{shortcut}）</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
</context>
<context>
    <name>PlaceholderPage</name>
    <message>
        <source>Here you will pick a pretrained model and a strategy, then train a classifier on your labelled images while watching its accuracy improve.</source>
        <translation>在这里您将选择一个预训练模型和一种策略，然后用已标注的图片训练分类器，并实时查看准确率的提升。</translation>
    </message>
    <message>
        <source>Here you will see how well each trained model does on the validation images: accuracy per class, the confusion matrix and the images it got wrong.</source>
        <translation>在这里您将看到每个训练好的模型在验证图片上的表现：各类别的准确率、混淆矩阵以及被分错的图片。</translation>
    </message>
    <message>
        <source>Here you will drop new images on a trained model to classify them, and export the model as a file to use in other programs.</source>
        <translation>在这里您可以把新图片拖放到训练好的模型上进行分类，并将模型导出为文件，供其他程序使用。</translation>
    </message>
    <message>
        <source>Coming in a later version.</source>
        <translation>将在后续版本中提供。</translation>
    </message>
</context>
<context>
    <name>ProjectFlows</name>
    <message>
        <source>Images ({patterns})</source>
        <translation>图片 ({patterns})</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose a folder for the new project</source>
        <translation>为新项目选择一个文件夹</translation>
    </message>
    <message>
        <source>Open a project folder, or a folder of images</source>
        <translation>打开项目文件夹，或图片文件夹</translation>
    </message>
    <message>
        <source>Cannot open</source>
        <translation>无法打开</translation>
    </message>
    <message>
        <source>{path}: not a folder or a project file.</source>
        <translation>{path}：不是文件夹，也不是项目文件。</translation>
    </message>
    <message>
        <source>Create a project?</source>
        <translation>创建项目？</translation>
    </message>
    <message>
        <source>{path} holds no project and no images.

Create a new, empty project there?</source>
        <translation>{path} 中既没有项目也没有图片。

要在那里新建一个空项目吗？</translation>
    </message>
    <message>
        <source>{folder} is read-only: choose a folder for the project file</source>
        <translation>{folder} 是只读的：请为项目文件选择一个文件夹</translation>
    </message>
    <message>
        <source>Import images</source>
        <translation>导入图片</translation>
    </message>
    <message>
        <source>Import a folder of images</source>
        <translation>导入图片文件夹</translation>
    </message>
    <message>
        <source>Export labelled images into this folder (one sub-folder per class)</source>
        <translation>将已标注的图片导出到此文件夹（每个类别一个子文件夹）</translation>
    </message>
    <message>
        <source>Drop a folder to start a project from it, or create a project first (File › New Project…).</source>
        <translation>拖放一个文件夹以从它创建项目，或先创建项目（文件 › 新建项目…）。</translation>
    </message>
    <message>
        <source>No project open</source>
        <translation>未打开项目</translation>
    </message>
</context>
<context>
    <name>StageBar</name>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Data ({shortcut})</source>
        <translation>数据（{shortcut}）</translation>
    </message>
    <message>
        <source>Train ({shortcut})</source>
        <translation>训练（{shortcut}）</translation>
    </message>
    <message>
        <source>Evaluate ({shortcut})</source>
        <translation>评估（{shortcut}）</translation>
    </message>
    <message>
        <source>Predict ({shortcut})</source>
        <translation>预测（{shortcut}）</translation>
    </message>
</context>
<context>
    <name>StageWiring</name>
    <message>
        <source>Stop training?</source>
        <translation>停止训练？</translation>
    </message>
    <message>
        <source>A training run is in progress. Stop it and quit? The best weights so far are kept, and the run can be resumed later.</source>
        <translation>正在进行训练。要停止训练并退出吗？目前为止最好的权重会被保留，之后可以继续这次训练。</translation>
    </message>
</context>
<context>
    <name>WeightsImportFlow</name>
    <message>
        <source>Weights ({patterns})</source>
        <translation>权重 ({patterns})</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Import Backbone Weights</source>
        <translation>导入主干网络权重</translation>
    </message>
    <message>
        <source>Reading the list of backbones…</source>
        <translation>正在读取主干网络列表…</translation>
    </message>
    <message>
        <source>{file} is now the pretrained weights of {backbone}: training with {backbone} uses it, offline too.

A checked copy is kept at {copy}; its SHA-256 is pinned and checked before every load.</source>
        <translation>{file} 现已成为 {backbone} 的预训练权重：使用 {backbone} 训练时（包括离线时）都会用到它。

一份经过检查的副本保存在 {copy}；其 SHA-256 已固定，每次加载前都会校验。</translation>
    </message>
    <message>
        <source>{reason}

Nothing was imported.</source>
        <translation>{reason}

未导入任何内容。</translation>
    </message>
    <message>
        <source>Cannot import the weights</source>
        <translation>无法导入权重</translation>
    </message>
    <message>
        <source>Which backbone are the weights in {file} for?</source>
        <translation>{file} 中的权重属于哪个主干网络？</translation>
    </message>
    <message>
        <source>Checking {file} against {backbone}…</source>
        <translation>正在按 {backbone} 检查 {file}…</translation>
    </message>
</context>
<context>
    <name>WelcomeWidget</name>
    <message>
        <source>Teach the computer to recognise your own pictures: label a folder of images, train, check the results, use the model.</source>
        <translation>教电脑认识您自己的图片：标注一个图片文件夹，训练，检查结果，使用模型。</translation>
    </message>
    <message>
        <source>New Project…</source>
        <translation>新建项目…</translation>
    </message>
    <message>
        <source>Open Project or Dataset Folder…</source>
        <translation>打开项目或数据集文件夹…</translation>
    </message>
    <message>
        <source>Tip: drop a folder that has one sub-folder per class anywhere on this window to start with every image already labelled.</source>
        <translation>提示：把每个类别各有一个子文件夹的文件夹拖放到此窗口任意位置，即可直接得到全部已标注的图片。</translation>
    </message>
    <message>
        <source>RECENT PROJECTS</source>
        <translation>最近的项目</translation>
    </message>
</context>
</TS>
