#include "app/ui/messageinput.h"

#include <QKeyEvent>

MessageInput::MessageInput(QWidget *parent) : QPlainTextEdit(parent)
{
    setPlaceholderText(tr("Write a message (Enter sends, Shift+Enter starts a new line)"));
    setTabChangesFocus(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

MessageInput::~MessageInput() = default;

QSize MessageInput::sizeHint() const
{
    // Three lines: room for a short paragraph without taking space from the conversation.
    const int lines = 3;
    const QMargins margins = contentsMargins();
    const int height = fontMetrics().lineSpacing() * lines + int(2 * document()->documentMargin())
        + margins.top() + margins.bottom();
    return QSize(QPlainTextEdit::sizeHint().width(), height);
}

void MessageInput::submit()
{
    const QString text = toPlainText().trimmed();
    if (text.isEmpty())
        return;
    clear();
    Q_EMIT submitted(text);
}

void MessageInput::keyPressEvent(QKeyEvent *event)
{
    const bool enter = event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter;
    if (!enter) {
        QPlainTextEdit::keyPressEvent(event);
        return;
    }
    if (event->modifiers().testFlag(Qt::ShiftModifier)) {
        // A real newline: QPlainTextEdit's own Shift+Enter inserts U+2028 instead.
        insertPlainText(QStringLiteral("\n"));
    } else {
        submit();
    }
    event->accept();
}
