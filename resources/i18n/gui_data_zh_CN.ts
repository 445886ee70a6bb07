<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ClassDelegate</name>
    <message>
        <source>CLASSES</source>
        <translation>类别</translation>
    </message>
</context>
<context>
    <name>ClassListModel</name>
    <message>
        <source>All images</source>
        <translation>全部图片</translation>
    </message>
    <message>
        <source>Unlabeled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>Can&apos;t read</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <source>Excluded</source>
        <translation>已排除</translation>
    </message>
    <message>
        <source>{count} images ({train} train, {val} validation)  ·  press {key} to label the selection</source>
        <translation>{count} 张图片（训练 {train} 张，验证 {val} 张）  ·  按 {key} 将所选图片标注为此类别</translation>
    </message>
    <message>
        <source>{count} images ({train} train, {val} validation)</source>
        <translation>{count} 张图片（训练 {train} 张，验证 {val} 张）</translation>
    </message>
</context>
<context>
    <name>ClassSidebarPanel</name>
    <message>
        <source>New class name, then Enter</source>
        <translation>输入新类别名称后按 Enter</translation>
    </message>
    <message>
        <source>Create the class</source>
        <translation>创建类别</translation>
    </message>
    <message>
        <source>DATASET</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Check These Files Again</source>
        <translation>重新检查这些文件</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <source>Merge Into</source>
        <translation>合并到</translation>
    </message>
    <message>
        <source>Delete Class (images become unlabeled)</source>
        <translation>删除类别（图片变为未标注）</translation>
    </message>
</context>
<context>
    <name>DataPage</name>
    <message>
        <source>There is no class {number}; create it in the sidebar first.</source>
        <translation>没有第 {number} 个类别；请先在侧边栏中创建。</translation>
    </message>
    <message>
        <source>Select images first (click, Shift+click, Ctrl+A), then press 1-9.</source>
        <translation>请先选择图片（单击、Shift+单击、Ctrl+A），再按 1-9。</translation>
    </message>
    <message>
        <source>Accept {count} suggested label</source>
        <translation>接受 {count} 个建议标签</translation>
    </message>
    <message>
        <source>Accept {count} suggested labels</source>
        <translation>接受 {count} 个建议标签</translation>
    </message>
    <message>
        <source>Accepted {count} suggested label(s). Ctrl+Z undoes it.</source>
        <translation>已接受 {count} 个建议标签。按 Ctrl+Z 撤销。</translation>
    </message>
    <message>
        <source>{action}. Ctrl+Z undoes it.</source>
        <translation>{action}。按 Ctrl+Z 撤销。</translation>
    </message>
</context>
<context>
    <name>DataWarnings</name>
    <message>
        <source>Training needs at least two classes with images; this project has {count}. Create classes and label some images.</source>
        <translation>训练至少需要两个有图片的类别，此项目只有 {count} 个。请创建类别并标注一些图片。</translation>
    </message>
    <message>
        <source>Class “{name}” has {count} image; add at least {minimum}.</source>
        <translation>类别“{name}”只有 {count} 张图片；请补充到至少 {minimum} 张。</translation>
    </message>
    <message>
        <source>Class “{name}” has {count} images; add at least {minimum}.</source>
        <translation>类别“{name}”只有 {count} 张图片；请补充到至少 {minimum} 张。</translation>
    </message>
    <message>
        <source>Classes are imbalanced: “{big}” has {big_count} images, “{small}” has {small_count} ({ratio}x). Add images to the smaller classes.</source>
        <translation>类别不均衡：“{big}”有 {big_count} 张图片，“{small}”只有 {small_count} 张（相差 {ratio} 倍）。请为较小的类别添加图片。</translation>
    </message>
    <message>
        <source>{count} image unlabeled; not used to train.</source>
        <translation>{count} 张图片未标注，不会用于训练。</translation>
    </message>
    <message>
        <source>{count} images unlabeled; not used to train.</source>
        <translation>{count} 张图片未标注，不会用于训练。</translation>
    </message>
    <message>
        <source>{count} file cannot be read; skipped in training.</source>
        <translation>{count} 个文件无法读取，训练时将跳过。</translation>
    </message>
    <message>
        <source>{count} files cannot be read; skipped in training.</source>
        <translation>{count} 个文件无法读取，训练时将跳过。</translation>
    </message>
</context>
<context>
    <name>DatasetBrowserPanel</name>
    <message>
        <source>All images</source>
        <translation>全部图片</translation>
    </message>
    <message>
        <source>Unlabeled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>Can&apos;t read</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <source>Excluded from training</source>
        <translation>已排除出训练</translation>
    </message>
    <message>
        <source>{count} image matching “{search}”</source>
        <translation>{count} 张图片匹配“{search}”</translation>
    </message>
    <message>
        <source>{count} images matching “{search}”</source>
        <translation>{count} 张图片匹配“{search}”</translation>
    </message>
    <message>
        <source>{count} image</source>
        <translation>{count} 张图片</translation>
    </message>
    <message>
        <source>{count} images</source>
        <translation>{count} 张图片</translation>
    </message>
    <message>
        <source>Search file names</source>
        <translation>搜索文件名</translation>
    </message>
    <message>
        <source>Sort: {order}</source>
        <translation>排序：{order}</translation>
    </message>
    <message>
        <source>Thumbnail size (Ctrl+Plus / Ctrl+Minus)</source>
        <translation>缩略图大小（Ctrl+加号 / Ctrl+减号）</translation>
    </message>
    <message>
        <source>Doctor</source>
        <translation>数据体检</translation>
    </message>
    <message>
        <source>Find duplicates, leakage, suspect labels and bad images, and fix them</source>
        <translation>查找重复图片、泄漏、可疑标签和有问题的图片，并加以修复</translation>
    </message>
</context>
<context>
    <name>DoctorActions</name>
    <message>
        <source>{action}. Z undoes it.</source>
        <translation>{action}。按 Z 撤销。</translation>
    </message>
    <message>
        <source>There is no class “{label}”; create it in the sidebar first.</source>
        <translation>没有名为“{label}”的类别；请先在侧边栏中创建。</translation>
    </message>
    <message>
        <source>This finding has no image to relabel; press Enter to keep it or move on.</source>
        <translation>此问题没有可重新标注的图片；按 Enter 保留，或转到下一个。</translation>
    </message>
    <message>
        <source>Relabel {count} image as “{label}”</source>
        <translation>将 {count} 张图片重新标注为“{label}”</translation>
    </message>
    <message>
        <source>Relabel {count} images as “{label}”</source>
        <translation>将 {count} 张图片重新标注为“{label}”</translation>
    </message>
    <message>
        <source>This finding has no image to exclude; press Enter to keep it or move on.</source>
        <translation>此问题没有可排除的图片；按 Enter 保留，或转到下一个。</translation>
    </message>
    <message>
        <source>Exclude {count} image from training</source>
        <translation>将 {count} 张图片排除出训练</translation>
    </message>
    <message>
        <source>Exclude {count} images from training</source>
        <translation>将 {count} 张图片排除出训练</translation>
    </message>
    <message>
        <source>Move {count} image to {split}</source>
        <translation>将 {count} 张图片移到{split}</translation>
    </message>
    <message>
        <source>Move {count} images to {split}</source>
        <translation>将 {count} 张图片移到{split}</translation>
    </message>
    <message>
        <source>Keep as is</source>
        <translation>保持原样</translation>
    </message>
</context>
<context>
    <name>DoctorListModel</name>
    <message>
        <source>Train/validation leakage</source>
        <translation>训练集/验证集泄漏</translation>
    </message>
    <message>
        <source>Duplicates</source>
        <translation>重复图片</translation>
    </message>
    <message>
        <source>Suspect labels</source>
        <translation>可疑标签</translation>
    </message>
    <message>
        <source>Outliers</source>
        <translation>离群图片</translation>
    </message>
    <message>
        <source>Too dark</source>
        <translation>过暗</translation>
    </message>
    <message>
        <source>Overexposed</source>
        <translation>过曝</translation>
    </message>
    <message>
        <source>Blurry</source>
        <translation>模糊</translation>
    </message>
    <message>
        <source>Low contrast</source>
        <translation>对比度低</translation>
    </message>
    <message>
        <source>Tiny images</source>
        <translation>过小的图片</translation>
    </message>
    <message>
        <source>Odd shapes</source>
        <translation>形状异常</translation>
    </message>
    <message>
        <source>Class balance</source>
        <translation>类别均衡</translation>
    </message>
    <message>
        <source>high</source>
        <translation>严重</translation>
    </message>
    <message>
        <source>medium</source>
        <translation>中等</translation>
    </message>
    <message>
        <source>low</source>
        <translation>轻微</translation>
    </message>
    <message>
        <source>Exclude from training</source>
        <translation>排除出训练</translation>
    </message>
    <message>
        <source>Add images to this class (Enter: noted)</source>
        <translation>为此类别添加图片（Enter：记下）</translation>
    </message>
    <message>
        <source>Look, then keep it (Enter) or relabel/exclude</source>
        <translation>查看后保留（Enter），或重新标注/排除</translation>
    </message>
    <message>
        <source>Relabel as “{label}”</source>
        <translation>重新标注为“{label}”</translation>
    </message>
    <message>
        <source>Move both to {split}</source>
        <translation>两张都移到{split}</translation>
    </message>
    <message>
        <source>Move all to {split}</source>
        <translation>全部移到{split}</translation>
    </message>
    <message>
        <source>Keep the first, exclude the other copy</source>
        <translation>保留第一张，排除另一份副本</translation>
    </message>
    <message>
        <source>Keep the first, exclude the other copies</source>
        <translation>保留第一张，排除其余副本</translation>
    </message>
    <message>
        <source>{kind} · {severity} · {count}</source>
        <translation>{kind} · {severity} · {count}</translation>
    </message>
</context>
<context>
    <name>DoctorView</name>
    <message>
        <source>1-9 relabel · X exclude · Enter apply the fix · K keep as is · Z undo · ↑↓ move</source>
        <translation>1-9 重新标注 · X 排除 · Enter 应用修复 · K 保持原样 · Z 撤销 · ↑↓ 移动</translation>
    </message>
    <message>
        <source>The doctor looks for duplicates, train/validation leakage, suspect labels, outliers, dark, blurry or tiny images and class imbalance in your labelled images. Press Examine to start.</source>
        <translation>数据体检会在你已标注的图片中查找重复图片、训练集/验证集泄漏、可疑标签、离群图片、过暗、模糊或过小的图片以及类别不均衡。按“检查”开始。</translation>
    </message>
    <message>
        <source>No open findings: every finding was handled or kept.</source>
        <translation>没有待处理的问题：所有问题都已处理或保留。</translation>
    </message>
    <message>
        <source>Examination cancelled; nothing changed.</source>
        <translation>检查已取消，没有任何更改。</translation>
    </message>
    <message>
        <source>{count} open: {kinds}</source>
        <translation>{count} 个待处理：{kinds}</translation>
    </message>
    <message>
        <source>{count} open: {kinds} ({handled} handled before)</source>
        <translation>{count} 个待处理：{kinds}（之前已处理 {handled} 个）</translation>
    </message>
    <message>
        <source>Nothing left to fix. Examine again after you change the data.</source>
        <translation>没有需要修复的问题。更改数据后请重新检查。</translation>
    </message>
    <message>
        <source>Nothing left to fix. Examine again after you change the data. ({handled} handled before)</source>
        <translation>没有需要修复的问题。更改数据后请重新检查。（之前已处理 {handled} 个）</translation>
    </message>
    <message>
        <source>Embedding your images</source>
        <translation>正在提取图片特征</translation>
    </message>
    <message>
        <source>Checking brightness, sharpness and size</source>
        <translation>正在检查亮度、清晰度和尺寸</translation>
    </message>
    <message>
        <source>Dataset doctor</source>
        <translation>数据体检</translation>
    </message>
    <message>
        <source>Check the labelled images for problems (uses the cached features)</source>
        <translation>检查已标注图片中的问题（使用缓存特征）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Back to images</source>
        <translation>返回图片</translation>
    </message>
    <message>
        <source>Label images of two classes first; the doctor checks labelled images.</source>
        <translation>请先标注两个类别的图片；数据体检只检查已标注的图片。</translation>
    </message>
    <message>
        <source>Examining your images…</source>
        <translation>正在检查你的图片…</translation>
    </message>
    <message>
        <source>There is no class {number}; create it in the sidebar first.</source>
        <translation>没有第 {number} 个类别；请先在侧边栏中创建。</translation>
    </message>
    <message>
        <source>Undone: {action}</source>
        <translation>已撤销：{action}</translation>
    </message>
    <message>
        <source>Redone: {action}</source>
        <translation>已重做：{action}</translation>
    </message>
    <message>
        <source>{count} {kind}</source>
        <translation>{kind} {count} 个</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <source>The examination failed: {error}</source>
        <translation>检查失败：{error}</translation>
    </message>
    <message>
        <source>Examine again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <source>Examine</source>
        <translation>检查</translation>
    </message>
</context>
<context>
    <name>FindingDelegate</name>
    <message>
        <source>classes</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>{names} (+{count} more)</source>
        <translation>{names}（另有 {count} 张）</translation>
    </message>
    <message>
        <source>Enter: {action}</source>
        <translation>Enter：{action}</translation>
    </message>
</context>
<context>
    <name>ImageListModel</name>
    <message>
        <source>Import order</source>
        <translation>导入顺序</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>training</source>
        <translation>训练集</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>验证集</translation>
    </message>
    <message>
        <source>Class: {name}</source>
        <translation>类别：{name}</translation>
    </message>
    <message>
        <source>Unlabeled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>Split: {split}</source>
        <translation>划分：{split}</translation>
    </message>
    <message>
        <source>Excluded from training (X includes it again)</source>
        <translation>已排除出训练（按 X 重新纳入）</translation>
    </message>
    <message>
        <source>Suggested: {name} ({percent}%); Enter accepts</source>
        <translation>建议：{name}（{percent}%）；按 Enter 接受</translation>
    </message>
    <message>
        <source>Cannot be read: {reason}</source>
        <translation>无法读取：{reason}</translation>
    </message>
</context>
<context>
    <name>ImageViewerDialog</name>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>划分</translation>
    </message>
    <message>
        <source>Pixels</source>
        <translation>像素</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>文件大小</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Modified</source>
        <translation>修改时间</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练集</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>验证集</translation>
    </message>
    <message>
        <source>Previous image (Left)</source>
        <translation>上一张（左方向键）</translation>
    </message>
    <message>
        <source>Next image (Right)</source>
        <translation>下一张（右方向键）</translation>
    </message>
    <message>
        <source>Zoom out (-)</source>
        <translation>缩小（-）</translation>
    </message>
    <message>
        <source>Zoom in (+)</source>
        <translation>放大（+）</translation>
    </message>
    <message>
        <source>Fit in window (F)</source>
        <translation>适应窗口（F）</translation>
    </message>
    <message>
        <source>Actual size</source>
        <translation>实际大小</translation>
    </message>
    <message>
        <source>{count} bytes</source>
        <translation>{count} 字节</translation>
    </message>
    <message>
        <source>LABEL  ·  keys 1-9, 0 unlabels</source>
        <translation>标注  ·  按 1-9 标注，按 0 取消标注</translation>
    </message>
    <message>
        <source>This file cannot be read:
{reason}</source>
        <translation>无法读取此文件：
{reason}</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Unlabeled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>Cannot be read: {reason}</source>
        <translation>无法读取：{reason}</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>正常</translation>
    </message>
</context>
<context>
    <name>InstantHead</name>
    <message>
        <source>{points} points after {count} correction</source>
        <translation>{count} 次修正后变化 {points} 个百分点</translation>
    </message>
    <message>
        <source>{points} points after {count} corrections</source>
        <translation>{count} 次修正后变化 {points} 个百分点</translation>
    </message>
    <message>
        <source>Label images of two classes to see suggested labels.</source>
        <translation>标注两个类别的图片后即可看到建议标签。</translation>
    </message>
    <message>
        <source>Suggestions unavailable: {error}</source>
        <translation>无法给出建议：{error}</translation>
    </message>
    <message>
        <source>Instant model: {accuracy}% on {count} validation image</source>
        <translation>即时模型：在 {count} 张验证图片上准确率为 {accuracy}%</translation>
    </message>
    <message>
        <source>Instant model: {accuracy}% on {count} validation images</source>
        <translation>即时模型：在 {count} 张验证图片上准确率为 {accuracy}%</translation>
    </message>
    <message>
        <source>Instant model: {accuracy}% on {count} validation image ({change})</source>
        <translation>即时模型：在 {count} 张验证图片上准确率为 {accuracy}%（{change}）</translation>
    </message>
    <message>
        <source>Instant model: {accuracy}% on {count} validation images ({change})</source>
        <translation>即时模型：在 {count} 张验证图片上准确率为 {accuracy}%（{change}）</translation>
    </message>
    <message>
        <source>Instant model: no validation images yet.</source>
        <translation>即时模型：还没有验证图片。</translation>
    </message>
</context>
<context>
    <name>ThumbnailDelegate</name>
    <message>
        <source>Excluded</source>
        <translation>已排除</translation>
    </message>
    <message>
        <source>Can&apos;t read: {reason}</source>
        <translation>无法读取：{reason}</translation>
    </message>
</context>
</TS>
