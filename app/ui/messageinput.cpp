#include "app/ui/messageinput.h"

#include "app/ui/chattext.h"

#include <QFileInfo>
#include <QImage>
#include <QKeyEvent>
#include <QMimeData>
#include <QTextBlock>

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

void MessageInput::setNickSource(std::function<QStringList()> nicks, std::function<QString()> self)
{
    m_nicks = std::move(nicks);
    m_self = std::move(self);
}

QString MessageInput::completionText(const QString &nick, bool atLineStart) const
{
    return atLineStart ? nick + QStringLiteral(": ") : QLatin1Char('@') + nick + QLatin1Char(' ');
}

bool MessageInput::completeNick()
{
    if (!m_nicks)
        return false;
    QTextCursor cursor = textCursor();
    const QString text = toPlainText();
    const int position = cursor.position();

    // Tab right after a completion: the next match in its place.
    if (m_completion.start >= 0 && position == m_completion.end
        && m_completion.candidates.size() > 1) {
        m_completion.current = (m_completion.current + 1) % m_completion.candidates.size();
        const QString replacement = completionText(m_completion.candidates.at(m_completion.current),
                                                   m_completion.atLineStart);
        cursor.setPosition(m_completion.start);
        cursor.setPosition(m_completion.end, QTextCursor::KeepAnchor);
        cursor.insertText(replacement);
        setTextCursor(cursor);
        m_completion.end = m_completion.start + int(replacement.size());
        return true;
    }
    if (m_completion.start >= 0 && position == m_completion.end)
        return true; // the only match is already there: Tab stays in the input

    const ChatText::Completion word = ChatText::completionAt(text, position);
    if (word.start < 0)
        return false;
    const QStringList matches =
        ChatText::candidates(m_nicks(), word.prefix, m_self ? m_self() : QString());
    if (matches.isEmpty())
        return false;
    const QString replacement = completionText(matches.first(), word.atLineStart);
    cursor.setPosition(word.start);
    cursor.setPosition(position, QTextCursor::KeepAnchor);
    cursor.insertText(replacement);
    setTextCursor(cursor);
    m_completion = CompletionState { word.start, word.start + int(replacement.size()), matches, 0,
                                     word.atLineStart };
    return true;
}

bool MessageInput::event(QEvent *event)
{
    // Tab is taken for focus changes before keyPressEvent() sees it.
    if (event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Tab && key->modifiers() == Qt::NoModifier) {
            if (completeNick()) {
                event->accept();
                return true;
            }
        }
    }
    return QPlainTextEdit::event(event);
}

void MessageInput::keyPressEvent(QKeyEvent *event)
{
    // Any other key ends a completion cycle.
    m_completion = CompletionState();
    if (event->key() == Qt::Key_Escape) {
        Q_EMIT cancelled();
        event->accept();
        return;
    }
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

namespace {
QStringList localFiles(const QMimeData *source)
{
    QStringList paths;
    if (!source->hasUrls())
        return paths;
    for (const QUrl &url : source->urls()) {
        if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isFile())
            paths.append(url.toLocalFile());
    }
    return paths;
}
} // namespace

bool MessageInput::canInsertFromMimeData(const QMimeData *source) const
{
    return source->hasImage() || !localFiles(source).isEmpty()
        || QPlainTextEdit::canInsertFromMimeData(source);
}

void MessageInput::insertFromMimeData(const QMimeData *source)
{
    // Files first: a file manager's copy carries the names as text too.
    if (const QStringList files = localFiles(source); !files.isEmpty()) {
        Q_EMIT filesPasted(files);
        return;
    }
    // A picture without text (a screenshot); a copied web page's picture comes with its
    // text or markup, and the words are what is pasted then.
    if (source->hasImage() && !source->hasText()) {
        const QImage image = qvariant_cast<QImage>(source->imageData());
        if (!image.isNull()) {
            Q_EMIT imagePasted(image);
            return;
        }
    }
    QPlainTextEdit::insertFromMimeData(source);
}
