"""The wizard's own look, on top of resources/style.qss (same palette, same object names)."""

WIZARD_STYLE = """
QWidget#importPage { background: #f7f7f5; }
QLabel#stepTitle { font-size: 13pt; font-weight: 600; color: #1f3a4d; }
QLabel#sectionTitle { font-weight: 600; color: #1f3a4d; margin-top: 4px; }
QLabel#stepLabel { color: #8a949b; padding: 3px 8px; border-radius: 10px; }
QLabel#stepLabel[state="done"] { color: #2e7d4f; }
QLabel#stepLabel[state="current"] { color: white; background: #1f6f8b; font-weight: 600; }
QLabel#stepArrow { color: #b8c2c9; }
QFrame#dropZone {
    background: white; border: 2px dashed #b8c2c9; border-radius: 10px;
}
QFrame#dropZone[hovered="true"] { background: #eef6fa; border-color: #1f6f8b; }
QLabel#dropTitle { font-size: 15pt; font-weight: 600; color: #1f3a4d; }
QLabel#inlineMessage { padding: 8px 12px; border-radius: 6px; border: 1px solid transparent; }
QLabel#inlineMessage[tone="info"] { background: #eaf2f7; border-color: #c6dbe7; color: #1f3a4d; }
QLabel#inlineMessage[tone="success"] { background: #e8f4ec; border-color: #bfdfc9; color: #1e5a36; }
QLabel#inlineMessage[tone="warning"] { background: #fdf3e1; border-color: #f0d29b; color: #6b4a0e; }
QLabel#inlineMessage[tone="error"] { background: #fbeaea; border-color: #eab8b8; color: #8a1f1f; }
QWidget#countTile, QWidget#countTileTotal {
    background: white; border: 1px solid #dde2e6; border-radius: 6px; min-width: 96px;
}
QWidget#countTileTotal { background: #eef3f6; }
QLabel#countValue { font-size: 18pt; font-weight: 600; color: #1f3a4d; }
QLabel#countValue[empty="true"] { color: #a0a6ab; }
QLabel#countCaption { color: #555; }
QScrollArea#mappingEditor { background: white; border: 1px solid #dde2e6; border-radius: 4px; }
QWidget#mappingBody { background: white; }
QLabel#mappingHeader {
    font-weight: 600; color: #555; border-bottom: 1px solid #dde2e6; padding-bottom: 4px;
}
QLabel#sampleValues { color: #555; }
QProgressBar#confidenceBar { border: none; background: #e6eaed; border-radius: 3px; }
QProgressBar#confidenceBar::chunk { background: #2e7d4f; border-radius: 3px; }
QProgressBar#confidenceBar[level="low"]::chunk { background: #e0a030; }
QLabel#confidenceText[level="low"] { color: #a05a00; font-weight: 600; }
QLabel#confidenceText[level="none"], QLabel#confidenceText[level="user"] { color: #777; }
QGroupBox#dateQuestion { font-weight: 600; border: 1px solid #f0d29b; border-radius: 6px;
    margin-top: 10px; padding: 10px 10px 6px 10px; background: #fffaf0; }
QGroupBox#dateQuestion::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; }
QGroupBox#dateQuestion QLabel, QGroupBox#dateQuestion QRadioButton { font-weight: normal; }
QProgressBar#importProgress, QProgressBar#busyBar {
    border: 1px solid #b8c2c9; border-radius: 4px; background: white; text-align: center;
}
QProgressBar#importProgress { min-height: 22px; }
QProgressBar#importProgress::chunk, QProgressBar#busyBar::chunk { background: #1f6f8b; }
QLabel#summaryDetails { color: #333; }
"""
