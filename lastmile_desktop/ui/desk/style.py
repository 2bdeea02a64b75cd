"""The desk's look: large name, key caps on the outcome buttons, a calm status line."""

DESK_STYLE = """
QFrame#deskCard { background: white; border: 1px solid #dde2e6; border-radius: 6px; }
QLabel#deskCustomerName { font-size: 20pt; font-weight: 600; color: #1f3a4d; }
QLabel#deskPhone { font-size: 15pt; font-weight: 600; color: #1a1a1a; }
QLabel#deskOffer { font-size: 11pt; color: #1f3a4d; }
QLabel#deskSectionLabel { font-weight: 600; color: #1f3a4d; margin-top: 4px; }
QTextBrowser#deskScript { background: #fbfaf6; border: 1px solid #e6e1d3; border-radius: 4px;
    font-size: 11pt; padding: 4px; }
QTableWidget#deskHistory { border: 1px solid #e2e6e9; }
QListView#deskQueue { background: white; border: 1px solid #dde2e6; font-size: 10pt; }
QListView#deskQueue::item { border-bottom: 1px solid #eef1f3; }
QListView#deskQueue::item:selected { background: #1f6f8b; color: white; }
QFrame#myDay { background: #eef3f6; border-radius: 6px; }
QLabel#myDayTitle { font-weight: 600; color: #1f3a4d; padding-right: 6px; }
QLabel#myDayNumber { font-size: 14pt; font-weight: 600; color: #1f3a4d; }
QLabel#myDayLabel { color: #5f6b73; font-size: 8pt; }
QPushButton#keyButton { text-align: left; padding: 0; min-height: 38px; }
QPushButton#keyButton[tone="good"] { background: #e8f4ec; border-color: #9cc9aa; }
QPushButton#keyButton[tone="reached"] { background: #f3f7fa; }
QPushButton#keyButton[tone="careful"] { background: #fbeeee; border-color: #dba8a8; }
QPushButton#keyButton:disabled { background: #f0f0f0; }
QLabel#keyCap { background: #1f3a4d; color: white; font-weight: 700; border-radius: 3px;
    min-width: 22px; max-width: 22px; min-height: 22px; max-height: 22px; }
QLabel#keyCap:disabled { background: #b8c2c9; }
QLabel#keyButtonText { color: #1a1a1a; }
QLabel#keyButtonText:disabled { color: #999; }
QFrame#inlineEditor { background: #fff8e6; border: 2px solid #f2a541; border-radius: 6px; }
QLabel#editorTitle { font-weight: 600; font-size: 11pt; color: #1f3a4d; }
QLabel#editorProblem { color: #b3261e; font-weight: 600; }
QPushButton#choiceButton { padding: 4px 10px; }
QPushButton#choiceButton:checked { background: #1f6f8b; color: white; border-color: #1a5f77; }
QPushButton#choiceButton[rowFocused="true"]:checked { border: 2px solid #f2a541; }
QLabel#deskStatus { color: #1e6b34; }
QLabel#deskStatus[kind="problem"] { color: #b3261e; font-weight: 600; }
"""
